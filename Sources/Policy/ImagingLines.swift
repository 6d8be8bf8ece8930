import Foundation
import History
import SQLiteDB

/// The imaging lines of the history: current claim lines whose procedure (or revenue) code is in
/// one of the policy's imaging value sets, read through `line_category`.
public struct ImagingLines {
    private let db: Connection
    private let settings: PolicySettings

    public init(db: Connection, settings: PolicySettings) {
        self.db = db
        self.settings = settings
    }

    /// The imaging lines in scope, by claim id then line number.
    public func forEach(_ scope: DecisionFilter, _ body: (ImagingLine) throws -> Void) throws {
        let statement = try db.prepare("""
            SELECT l.claim_id, l.line_number, c.member_id, l.service_day, coalesce(l.hcpcs_code, ''), c.claim_type,
                c.start_day, d.code, l.load_id
            FROM (SELECT DISTINCT claim_id, line_number FROM line_category
                  WHERE category IN (SELECT value FROM json_each(?1))) lc
            JOIN claim_line l ON l.claim_id = lc.claim_id AND l.line_number = lc.line_number
            JOIN claim c ON c.claim_id = l.claim_id
            LEFT JOIN claim_diagnosis d ON d.claim_id = c.claim_id AND d.position = 1
            WHERE (?2 IS NULL OR c.member_id = ?2) AND (?3 IS NULL OR l.claim_id = ?3)
              AND (?4 IS NULL OR l.service_day >= ?4) AND (?5 IS NULL OR l.service_day <= ?5)
            ORDER BY l.claim_id, l.line_number
            """)
        statement.bind(Self.jsonArray(settings.imagingValueSets), at: 1)
        statement.bind(scope.memberID, at: 2)
        statement.bind(scope.claimID, at: 3)
        statement.bind(scope.serviceFrom?.number, at: 4)
        statement.bind(scope.serviceTo?.number, at: 5)
        while try statement.step() {
            try body(ImagingLine(
                claimID: statement.text(0), lineNumber: statement.int(1), memberID: statement.text(2),
                serviceDay: Day(number: statement.int32(3)), hcpcsCode: statement.text(4), claimType: statement.text(5),
                claimStartDay: Day(number: statement.int32(6)), primaryDiagnosis: statement.optionalText(7),
                loadID: statement.int64(8)))
        }
    }

    static func jsonArray(_ names: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(names)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
