import DelimitedText

/// A named code list: the diagnoses or procedures one policy concept stands for.
public struct ValueSet: Sendable, Equatable {
    /// The list's name (`LOW_BACK_PAIN`), also the category of the events derived from it.
    public let name: String
    /// `ICD10CM` for diagnoses; `CPT`/`HCPCS` (line procedure) or `UBREV` (revenue code) for lines.
    public let codeSystem: CodeSystem
    /// Normalised codes with their descriptions, sorted by code.
    public let codes: [Code]
    /// Where it came from: `embedded` or a file path.
    public let origin: String

    public struct Code: Sendable, Equatable {
        public let code: String
        public let description: String
        public init(code: String, description: String) {
            self.code = code
            self.description = description
        }
    }

    public init(name: String, codeSystem: CodeSystem, codes: [Code], origin: String) {
        self.name = name
        self.codeSystem = codeSystem
        self.codes = codes.sorted { $0.code < $1.code }
        self.origin = origin
    }
}

/// The code systems a value set may use.
public enum CodeSystem: String, Sendable, CaseIterable {
    case icd10cm = "ICD10CM"
    case cpt = "CPT"
    case hcpcs = "HCPCS"
    case revenue = "UBREV"

    /// Whether codes of this system are matched against diagnoses (else against claim lines).
    public var isDiagnosis: Bool { self == .icd10cm }
}

/// Normalises a diagnosis or procedure code for storage and matching: trims spaces, upper-cases
/// ASCII letters and drops dots (`" m54.50 "` → `"M5450"`).
public enum CodeNormalizer {
    public static func normalize(_ code: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(code.utf8.count)
        for byte in code.utf8 where byte != UInt8(ascii: ".") && byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") {
            out.append(byte >= 97 && byte <= 122 ? byte - 32 : byte)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
