"""The long-running ``ronr run`` process: scheduling, the instance lock, health and metrics.

:mod:`bot.daemon.scheduler` is the only module that knows schedules; :mod:`bot.daemon.jobs` says
what each job does; :mod:`bot.daemon.lock` keeps it to one process per database;
:mod:`bot.daemon.health` and :mod:`bot.daemon.metrics` tell the operator how it is doing.
"""

from bot.daemon.health import Health, collect
from bot.daemon.lock import AlreadyRunning, InstanceLock, holder
from bot.daemon.scheduler import Daemon

__all__ = ["AlreadyRunning", "Daemon", "Health", "InstanceLock", "collect", "holder"]
