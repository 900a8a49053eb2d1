"""Runs exported gradsheet scripts and writes what PyTorch computed as JSON, for tests/notebookTorch.test.ts.

    python3 notebook_harness.py SCRIPT.py OUT.json [SCRIPT2.py OUT2.json ...]

Several scripts in one process save the interpreter's and torch's start (about 1 s each). Each script's own output
(its log and its comparison with the sheet) goes to stdout as usual. OUT.json holds the loss of every epoch (the
script's `losses`, each `loss.item()`) and the model's parameters after training, read here from the model itself,
flat in model.parameters() order; json writes floats with repr, so they round-trip.
"""
import json
import runpy
import sys

args = sys.argv[1:]
for script, out in zip(args[0::2], args[1::2]):
    scope = runpy.run_path(script, run_name='__main__')
    model = scope['model']
    final = [x for p in model.parameters() for x in p.detach().flatten().tolist()]
    with open(out, 'w') as f:
        json.dump({'losses': scope['losses'], 'final': final, 'dtype': str(next(model.parameters()).dtype)}, f)
