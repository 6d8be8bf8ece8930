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
    /// Answers for codes of up to 7 bytes, keyed by the bytes, length and system packed in an integer
    /// (no allocation per question: every ICD-10-CM, CPT, HCPCS and revenue code fits).
    private var short: [UInt64: Bool] = [:]
    /// Answers for longer codes.
    private var long: [[UInt8]: Bool] = [:]
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
        if code.count <= 7 {
            // Top byte: the system and the length (a NUL byte is not confused with the end).
            var key = UInt64(system.rawValue << 3 | UInt8(code.count)) << 56
            for (offset, byte) in code.enumerated() { key |= UInt64(byte) << (8 * offset) }
            if let answer = short[key] { return answer }
            let answer = try ask(system, code)
            // Bounded whatever the file: a file of ever-new codes only asks again.
            if short.count >= Self.remembered { short.removeAll(keepingCapacity: true) }
            short[key] = answer
            return answer
        }
        let key = [system.rawValue] + Array(code)
        if let answer = long[key] { return answer }
        let answer = try ask(system, code)
        if long.count >= Self.remembered { long.removeAll(keepingCapacity: true) }
        long[key] = answer
        return answer
    }

    private func ask(_ system: System, _ code: UnsafeBufferPointer<UInt8>) throws -> Bool {
        let statement = statements[Int(system.rawValue)]
        statement.bindTextNoCopy(code, at: 1)
        defer { statement.reset() }
        return try statement.step()
    }
}
