"""The lifecycle manager's order: one node after the other; a node whose device is missing stays
unconfigured and is asked again, while the ones after it still come up."""

from genba_bringup.bringup_order import ACTIVATE, ACTIVE, CONFIGURE, INACTIVE, UNCONFIGURED, BringUp


def drive(order: BringUp, now: float, fail: set[str] = frozenset(), steps: int = 50) -> list:
    """Answer each request as nodes would (configure fails for ``fail``); the requests made."""
    asked = []
    for _ in range(steps):
        req = order.next_request(now)
        if req is None:
            break
        asked.append(req)
        name, kind, transition = req
        if kind == "get_state":
            order.on_state(name, UNCONFIGURED)
        else:
            order.on_transition(name, transition, not (transition == CONFIGURE and name in fail), now)
    return asked


def test_nodes_come_up_in_order_each_configured_then_activated():
    order = BringUp(("lidar", "camera", "safety_supervisor", "actuation_bridge"))
    asked = drive(order, 0.0)
    assert [(n, t) for n, k, t in asked if k == "change_state"] == [
        ("lidar", CONFIGURE), ("lidar", ACTIVATE), ("camera", CONFIGURE), ("camera", ACTIVATE),
        ("safety_supervisor", CONFIGURE), ("safety_supervisor", ACTIVATE),
        ("actuation_bridge", CONFIGURE), ("actuation_bridge", ACTIVATE),
    ]
    # each node's state is asked before anything is asked of it, and no later node is asked first
    first = [n for n, k, _ in asked if k == "get_state"]
    assert first == list(order.nodes)
    assert order.all_active() and order.next_request(100.0) is None


def test_a_missing_device_leaves_its_node_unconfigured_and_the_rest_come_up():
    order = BringUp(("lidar", "camera", "safety_supervisor"), retry_s=2.0)
    drive(order, 0.0, fail={"lidar"})
    assert order.states == {"lidar": UNCONFIGURED, "camera": ACTIVE, "safety_supervisor": ACTIVE}
    assert order.state_name("lidar") == "unconfigured" and not order.all_active()
    assert order.next_request(1.9) is None  # not before the retry period
    assert order.next_request(2.0) == ("lidar", "change_state", CONFIGURE)
    drive(order, 2.0)  # plugged in now
    assert order.all_active()


def test_a_node_already_up_is_left_as_it_is():
    order = BringUp(("supervisor",))
    assert order.next_request(0.0) == ("supervisor", "get_state", None)
    order.on_state("supervisor", ACTIVE)
    assert order.next_request(0.0) is None
    order.on_state("supervisor", INACTIVE)  # deactivated by someone: activated again
    assert order.next_request(0.0) == ("supervisor", "change_state", ACTIVATE)


def test_a_failed_activate_asks_the_state_again():
    order = BringUp(("bridge",))
    order.on_state("bridge", INACTIVE)
    order.on_transition("bridge", ACTIVATE, False, 0.0)
    assert order.next_request(0.0) == ("bridge", "get_state", None)
