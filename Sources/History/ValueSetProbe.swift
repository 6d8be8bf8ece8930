import SQLiteDB

/// Whether a code is in any value set of a code system, asked of `value_set_code` once per
/// distinct code and remembered: a load's files repeat few codes many times.
final class ValueSetProbe {
    /// The code systems `DerivedEvents` joins on.
    enum System: UInt8 {
        /// ICD-10-CM diagnoses (`dx_event`).
        case diagnosis
        /// CPT and HCPCS procedure codes (`line_category`).
        case procedure
        /// UB revenue codes (`line_category`).
        case revenue
    }

    private let statements: [Statement]
    private var known: [[UInt8]: Bool] = [:]
    private static let remembered = 65_536

    init(_ db: Connection) throws {
        // The same comparisons as DerivedEvents' joins (code_system, then code = the stored text).
        statements = try [
            db.prepare("SELECT 1 FROM value_set_code WHERE code_system = 'ICD10CM' AND code = ?1 LIMIT 1"),
            db.prepare("SELECT 1 FROM value_set_code WHERE code_system IN ('CPT', 'HCPCS') AND code = ?1 LIMIT 1"),
            db.prepare("SELECT 1 FROM value_set_code WHERE code_system = 'UBREV' AND code = ?1 LIMIT 1"),
        ]
    }

    /// Whether `code` (UTF-8) is in a value set of `system`.
    func contains(_ system: System, _ code: UnsafeBufferPointer<UInt8>) throws -> Bool {
        var key = [system.rawValue]
        key.append(contentsOf: code)
        if let answer = known[key] { return answer }
        let statement = statements[Int(system.rawValue)]
        statement.bindTextNoCopy(code, at: 1)
        let answer = try statement.step()
        statement.reset()
        // Bounded whatever the file: a file of ever-new codes only asks again.
        if known.count >= Self.remembered { known.removeAll(keepingCapacity: true) }
        known[key] = answer
        return answer
    }
}
