"""Training-time code (teacher, scenario generation, evaluation). The robot's policy node never
imports this subpackage; it needs genba_sim and MuJoCo, which a robot does not."""
