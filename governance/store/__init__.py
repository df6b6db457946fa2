"""The store: one Delta Lake table per dataset (delta.py), scopes (scope.py), the old format's migration."""

from governance.store.delta import (  # noqa: F401
    CommitResult,
    DamagedError,
    PlaceChange,
    Store,
    damage_message,
    read_current,
)
from governance.store.schema import (  # noqa: F401
    INTERNAL,
    ConcurrentCommitError,
    StoreError,
    arrow_schema,
)
from governance.store.scope import ScopeError  # noqa: F401
from governance.store import migrate as _migrate


def open_store(root=None, cls: type[Store] = Store) -> Store:
    """The store under ``root``, converting an old (manifest) store left by an earlier version on first open.

    Opening goes through here rather than ``Store.__init__`` so the store does not import its own migration
    (which builds a Store): the arrow runs one way, migrate -> delta.
    """
    store = cls(root)
    if _migrate.needed(store.root):
        _migrate.migrate(store)
    return store
