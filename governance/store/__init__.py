"""The store: one Delta Lake table per dataset (delta.py), scopes (scope.py), the old format's migration."""

from governance.store.delta import (  # noqa: F401
    CommitResult,
    DamagedError,
    PlaceChange,
    Store,
    damage_message,
    read_current,
)
from governance.store.schema import INTERNAL, ConcurrentCommitError, StoreError, arrow_schema  # noqa: F401
from governance.store.scope import ScopeError  # noqa: F401
