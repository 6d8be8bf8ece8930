import DelimitedText

/// Reads value-set CSV files (`value_set,code_system,code,description`), as shipped in
/// `Sources/ValueSets/data/` and as a plan may supply its own.
public enum ValueSetFile {
    /// A value-set file that cannot be used.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let origin: String
        public let line: Int
        public let reason: String
        public var description: String { line > 0 ? "\(origin), line \(line): \(reason)" : "\(origin): \(reason)" }
    }

    /// Parses the value sets in one file (a file may hold several, told apart by `value_set`).
    ///
    /// - Throws: `Invalid` for a missing column, an unknown code system, an empty code, or one value
    ///   set with two code systems.
    public static func parse(source: any ByteSource, origin: String) throws -> [ValueSet] {
        let reader = CSVReader(source: source, delimiter: UInt8(ascii: ","))
        let header = try reader.readHeader().map { $0.lowercased() }
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else {
                throw Invalid(origin: origin, line: 1, reason: "missing column \(name)")
            }
            return index
        }
        let nameColumn = try column("value_set"), systemColumn = try column("code_system"), codeColumn = try column("code")
        let descriptionColumn = header.firstIndex(of: "description")
        var order: [String] = []
        var systems: [String: CodeSystem] = [:]
        var codes: [String: [ValueSet.Code]] = [:]
        while try reader.next() {
            guard reader.issue == nil, reader.fieldCount == header.count else {
                throw Invalid(origin: origin, line: reader.lineNumber, reason: "malformed row")
            }
            let name = reader.string(nameColumn).trimmingSpaces().uppercased()
            let systemText = reader.string(systemColumn).trimmingSpaces().uppercased()
            guard let system = CodeSystem(rawValue: systemText) else {
                throw Invalid(origin: origin, line: reader.lineNumber, reason: "unknown code system '\(systemText)' (use ICD10CM, CPT, HCPCS or UBREV)")
            }
            let code = CodeNormalizer.normalize(reader.string(codeColumn))
            guard !name.isEmpty, !code.isEmpty else {
                throw Invalid(origin: origin, line: reader.lineNumber, reason: "empty value_set or code")
            }
            if let known = systems[name], known != system {
                throw Invalid(origin: origin, line: reader.lineNumber, reason: "value set \(name) mixes code systems")
            }
            if systems[name] == nil { order.append(name); systems[name] = system }
            let description = descriptionColumn.map { reader.string($0).trimmingSpaces() } ?? ""
            codes[name, default: []].append(ValueSet.Code(code: code, description: description))
        }
        return order.map { name in
            var seen = Set<String>()
            let unique = codes[name]!.filter { seen.insert($0.code).inserted }
            return ValueSet(name: name, codeSystem: systems[name]!, codes: unique, origin: origin)
        }
    }

    /// Parses the value sets in a file on disk.
    public static func parse(path: String) throws -> [ValueSet] {
        try parse(source: try FileSource(path: path), origin: path)
    }
}
