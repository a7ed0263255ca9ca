"""Imported by multiprocessing's fork server when it starts, and by nothing else.

Importing it makes the importing process die with its parent
(:func:`experiments.procs.die_with_parent`): the fork server, child of the sweep, is
killed when the sweep is. :func:`experiments.executors.make_executor` names it in
``set_forkserver_preload``; never import it anywhere else.
"""

from experiments.procs import die_with_parent

die_with_parent()
