import DelimitedText

/// The value sets shipped inside the binary (copied from the project's research, with their
/// README and per-code provenance in `Sources/ValueSets/data/`).
public enum EmbeddedValueSets {
    /// Every shipped value set, the optional ones included (a plan may switch those on).
    public static func all() -> [ValueSet] {
        files.flatMap { file in
            // The shipped files are checked by the tests; a failure here is a build defect.
            (try? ValueSetFile.parse(source: MemorySource(file.csv), origin: "embedded")) ?? []
        }
    }

    /// Names of the value sets the default policy uses (the files outside `optional/`).
    public static var defaultNames: [String] {
        files.filter { !$0.optional }.map(\.name)
    }

    /// The CSV text of each shipped file, by name (for the sync test and `lbp valuesets`).
    public static var csvByName: [String: String] {
        Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.csv) })
    }
}
