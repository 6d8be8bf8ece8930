import Policy
import SQLiteDB

/// The policy the service answers under: the stored current policy (`lbp policy set`; the
/// built-in settings when none is stored), resolved against the stored value sets. Read inside
/// each request's transaction, so a policy change is seen by the next request.
enum CurrentPolicy {
    static func resolve(_ db: Connection) throws -> ResolvedPolicy {
        try PolicyStore(db).current()
    }
}
