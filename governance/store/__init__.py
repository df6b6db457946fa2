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
