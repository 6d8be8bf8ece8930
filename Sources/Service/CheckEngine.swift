import SQLiteDB

/// PLACEHOLDER until issue 9's `CandidateClaims` and `ClaimChecker` land on main: answers 503.
/// Replaced by the real check when main is merged.
enum CheckEngine {
    struct Candidate: Sendable {
        let rows: [BodyRow]
    }

    static func candidate(_ rows: [BodyRow]) throws -> Candidate {
        Candidate(rows: rows)
    }

    static func check(_ claims: [Candidate], db: Connection) throws -> [CheckAnswer] {
        throw ServiceError(.serviceUnavailable, "the pre-payment check is not in this build yet")
    }
}
