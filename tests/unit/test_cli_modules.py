import importlib
import pkgutil

import ops.commands
import ops.evals


def test_every_command_and_eval_module_imports() -> None:
    """The CLI survives a missing package per command; the installed product must have none missing."""
    for package in (ops.commands, ops.evals):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
