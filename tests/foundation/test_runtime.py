"""Process-wide garbage collector settings, checked in a child process so the test run keeps its own."""

import json
import subprocess
import sys
import textwrap


def test_gc_tuning_freezes_and_raises_thresholds():
    script = textwrap.dedent(
        """
        import gc, json
        from core import runtime

        before = gc.get_threshold()
        first = runtime.tune_garbage_collector()
        frozen = gc.get_freeze_count()
        second = runtime.tune_garbage_collector()

        # Cycles made after tuning are still collected.
        class Node:
            pass
        node = Node()
        node.self = node
        del node
        found = gc.collect()

        print(json.dumps({"before": before, "after": gc.get_threshold(), "first": first,
                          "second": second, "frozen": frozen, "found": found}))
        """
    )
    output = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    result = json.loads(output.stdout)

    assert result["before"] == [700, 10, 10]
    assert result["after"] == [5000, 100, 100]
    assert result["first"] is True
    assert result["second"] is False  # a second call changes nothing
    assert result["frozen"] > 1000  # the interpreter's and the imported modules' objects
    assert result["found"] >= 1  # the Node that refers to itself
