import DelimitedText
import Foundation
import History
import SQLiteDB
import Testing
import TestSupport
import ValueSets

/// `Sources/ValueSets/data`, found from this file's path.
private let dataFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Sources/ValueSets/data")

/// The shipped value-set files on disk: (name, optional, path), PROVENANCE.csv excluded.
private func shippedFiles() throws -> [(name: String, optional: Bool, path: String)] {
    func csvFiles(_ folder: URL, optional: Bool) throws -> [(String, Bool, String)] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".csv") && $0 != "PROVENANCE.csv" }
            .sorted()
            .map { (String($0.dropLast(4)), optional, folder.appendingPathComponent($0).path) }
    }
    return try csvFiles(dataFolder, optional: false) + csvFiles(dataFolder.appendingPathComponent("optional"), optional: true)
}

/// Every row of a query, values boxed, in the query's order.
private func rows(_ db: Connection, _ sql: String) throws -> [[SQLiteValue]] {
    var result: [[SQLiteValue]] = []
    try db.forEach(sql) { row in result.append((0..<row.columnCount).map { row.value($0) }) }
    return result
}

private func derivedEvents(_ db: Connection) throws -> (dx: [[SQLiteValue]], lines: [[SQLiteValue]]) {
    (try rows(db, "SELECT member_id, category, day, claim_id, position, code FROM dx_event ORDER BY 1, 2, 3, 4, 5"),
     try rows(db, "SELECT claim_id, line_number, category FROM line_category ORDER BY 1, 2, 3"))
}

private func dayNumber(_ iso: String) -> SQLiteValue { .integer(Int64(Day(iso: iso)!.number)) }

@Suite("Value sets")
struct ValueSetTests {
    static let defaultNames = [
        "CANCER", "IMAGING_CT", "IMAGING_MRI", "IMAGING_XRAY", "IV_DRUG_ABUSE", "LOW_BACK_PAIN",
        "NEUROLOGIC_IMPAIRMENT", "SPINAL_INFECTION", "TRAUMA",
    ]

    // MARK: Embedded copies

    @Test func embeddedCopiesEqualTheDataFilesByteForByte() throws {
        let files = try shippedFiles()
        #expect(files.count >= 10, "the data folder was not found at \(dataFolder.path)")
        let embedded = EmbeddedValueSets.csvByName
        #expect(Set(embedded.keys) == Set(files.map(\.name)), "run Scripts/embed-valuesets.py")
        for file in files {
            let onDisk = try #require(FileManager.default.contents(atPath: file.path))
            let copy = try #require(embedded[file.name], "\(file.name) is not embedded: run Scripts/embed-valuesets.py")
            #expect(Array(copy.utf8) == Array(onDisk), "\(file.name) differs from \(file.path): run Scripts/embed-valuesets.py")
        }
    }

    @Test func defaultNamesAreTheFilesOutsideOptional() throws {
        let files = try shippedFiles()
        #expect(EmbeddedValueSets.defaultNames == files.filter { !$0.optional }.map(\.name))
        #expect(EmbeddedValueSets.defaultNames == Self.defaultNames)
        #expect(Set(files.filter(\.optional).map(\.name)) ==
                ["HIV", "IMAGING_CANDIDATES", "IMAGING_HEDIS_NONLUMBAR", "IMAGING_REVENUE", "TRAUMA_SEQUELA"])
    }

    @Test func everyShippedFileParsesToOneValueSet() throws {
        let files = try shippedFiles()
        let all = EmbeddedValueSets.all()
        #expect(all.map(\.name) == files.map(\.name))
        for (set, file) in zip(all, files) {
            let fromDisk = try ValueSetFile.parse(path: file.path)
            #expect(fromDisk.count == 1)
            #expect(fromDisk.first?.codes == set.codes, "\(file.name)")
            #expect(fromDisk.first?.codeSystem == set.codeSystem)
            #expect(set.origin == "embedded")
            let dataRows = try #require(EmbeddedValueSets.csvByName[file.name]).split(separator: "\n").count - 1
            #expect(set.codes.count == dataRows, "\(file.name): duplicate or dropped codes")
            #expect(set.codes.allSatisfy { CodeNormalizer.normalize($0.code) == $0.code && !$0.description.isEmpty })
            #expect(set.codes.map(\.code) == set.codes.map(\.code).sorted())
            let expectedSystem: CodeSystem = set.name == "IMAGING_REVENUE" ? .revenue : set.name.hasPrefix("IMAGING_") ? .cpt : .icd10cm
            #expect(set.codeSystem == expectedSystem, "\(set.name)")
        }
    }

    @Test func provenanceListsEveryShippedCodeOnce() throws {
        var provenance: [String: Int] = [:]
        let reader = CSVReader(source: try FileSource(path: dataFolder.appendingPathComponent("PROVENANCE.csv").path))
        #expect(try reader.readHeader() == ["value_set", "code_system", "code", "source", "confidence"])
        while try reader.next() {
            provenance["\(reader.string(0))|\(reader.string(1))|\(reader.string(2))", default: 0] += 1
        }
        let shipped = EmbeddedValueSets.all().flatMap { set in set.codes.map { "\(set.name)|\(set.codeSystem.rawValue)|\($0.code)" } }
        #expect(Set(shipped) == Set(provenance.keys))
        #expect(provenance.values.allSatisfy { $0 == 1 })
    }

    @Test func shippedListsHoldTheCodesThePolicyNames() throws {
        let byName = Dictionary(uniqueKeysWithValues: EmbeddedValueSets.all().map { ($0.name, Set($0.codes.map(\.code))) })
        #expect(byName["LOW_BACK_PAIN"]?.isSuperset(of: ["M5450", "M5451", "M5459", "M545"]) == true)
        #expect(byName["IMAGING_MRI"] == ["72148", "72149", "72158"])
        #expect(byName["IMAGING_CT"] == ["72131", "72132", "72133"])
        #expect(byName["IMAGING_XRAY"]?.contains("72100") == true)
        #expect(byName["SPINAL_INFECTION"]?.contains("M4626") == true)
        // Added from the eCQM value sets: a code retired in FY2025 that older claims carry, and HIV 2 / HIV in pregnancy.
        #expect(byName["CANCER"]?.contains("C880") == true)
        #expect(byName["HIV"] == ["B20", "Z21", "B9735", "O98711", "O98712", "O98713", "O98719", "O9872", "O9873"])
    }

    /// The counts table of `data/README.md` (`| CANCER | 1582 | 34 | ... |`) against the files.
    @Test func readmeCountsMatchTheFiles() throws {
        let readme = try String(contentsOf: dataFolder.appendingPathComponent("README.md"), encoding: .utf8)
        var counted: [String: Int] = [:]
        for line in readme.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let rows = Int(cells[1]) else { continue }
            let name = cells[0].replacingOccurrences(of: "optional/", with: "").split(separator: " ").first.map(String.init) ?? ""
            counted[name] = rows
        }
        let shipped = Dictionary(uniqueKeysWithValues: EmbeddedValueSets.all().map { ($0.name, $0.codes.count) })
        #expect(counted == shipped)
        #expect(shipped["CANCER"] == 1582)
        #expect(shipped["HIV"] == 9)
    }

    // MARK: Normalising and parsing

    @Test(arguments: [
        (" m54.50 ", "M5450"), ("M54.5", "M545"), ("\tc50.911\t", "C50911"), ("72148", "72148"),
        ("0450", "0450"), ("s01.409a", "S01409A"), ("", ""), ("...", ""), ("m 54 50", "M5450"),
    ])
    func codeNormalizer(raw: String, normalized: String) {
        #expect(CodeNormalizer.normalize(raw) == normalized)
    }

    private func parse(_ text: String) throws -> [ValueSet] {
        try ValueSetFile.parse(source: MemorySource(text), origin: "test.csv")
    }

    @Test func valueSetFileNormalisesSortsAndDeduplicates() throws {
        let sets = try parse("""
            Value_Set,Code_System,Code,Description
            my_lbp,icd10cm,m54.59,Other low back pain
            MY_LBP,ICD10CM, M54.50 ,"Low back pain, unspecified"
            MY_LBP,ICD10CM,M5459,again
            SCANS,CPT,72148,MRI
            """)
        #expect(sets.map(\.name) == ["MY_LBP", "SCANS"])
        #expect(sets[0].codes == [.init(code: "M5450", description: "Low back pain, unspecified"),
                                  .init(code: "M5459", description: "Other low back pain")])
        #expect(sets[0].codeSystem == .icd10cm && sets[1].codeSystem == .cpt)
        #expect(sets.allSatisfy { $0.origin == "test.csv" })
    }

    @Test func valueSetFileWithoutDescriptionColumn() throws {
        let sets = try parse("code,value_set,code_system\nG834,NEURO,ICD10CM\n")
        #expect(sets == [ValueSet(name: "NEURO", codeSystem: .icd10cm, codes: [.init(code: "G834", description: "")], origin: "test.csv")])
    }

    @Test func unknownCodeSystemIsInvalid() throws {
        let error = #expect(throws: ValueSetFile.Invalid.self) {
            _ = try parse("value_set,code_system,code\nX,ICD10CM,A00\nX,SNOMED,12345\n")
        }
        #expect(error?.line == 3)
        #expect(error?.origin == "test.csv")
        #expect(error?.reason.contains("unknown code system 'SNOMED'") == true)
        #expect(error?.description.hasPrefix("test.csv, line 3: ") == true)
    }

    @Test(arguments: ["value_set", "code_system", "code"])
    func missingColumnIsInvalid(column: String) throws {
        let header = ["value_set", "code_system", "code", "description"].filter { $0 != column }
        let error = #expect(throws: ValueSetFile.Invalid.self) { _ = try parse(header.joined(separator: ",") + "\n") }
        #expect(error?.line == 1)
        #expect(error?.reason == "missing column \(column)")
    }

    @Test func otherInvalidFiles() throws {
        let empty = #expect(throws: ValueSetFile.Invalid.self) { _ = try parse("value_set,code_system,code\nX,CPT, . \n") }
        #expect(empty?.line == 2)
        let mixed = #expect(throws: ValueSetFile.Invalid.self) { _ = try parse("value_set,code_system,code\nX,CPT,1\nX,HCPCS,2\n") }
        #expect(mixed?.reason.contains("mixes code systems") == true)
        let ragged = #expect(throws: ValueSetFile.Invalid.self) { _ = try parse("value_set,code_system,code\nX,CPT\n") }
        #expect(ragged?.line == 2)
        #expect(ragged?.reason == "malformed row")
    }

    // MARK: Stored value sets and derived events

    @Test func newDatabaseIsSeededWithEveryShippedSet() throws {
        let history = try TestHistory()
        let store = ValueSetStore(history.db)
        let listed = try store.list()
        let shipped = EmbeddedValueSets.all()
        #expect(listed.map(\.name) == shipped.map(\.name).sorted())
        #expect(listed.allSatisfy { $0.origin == "embedded" })
        for set in shipped {
            let row = try #require(listed.first { $0.name == set.name })
            #expect(row.codes == set.codes.count)
            #expect(row.codeSystem == set.codeSystem.rawValue)
            #expect(row.sha256 == ValueSetStore.digest(set))
            #expect(row.sha256.count == 64)
        }
        #expect(try store.digests(of: ["LOW_BACK_PAIN", "NOPE"]).keys.sorted() == ["LOW_BACK_PAIN"])
        #expect(try HistoryReader(history.db).categories(ofCode: "M5450", systems: ["ICD10CM"]) == ["LOW_BACK_PAIN"])
        #expect(try HistoryReader(history.db).categories(ofCode: "72148", systems: ["ICD10CM"]).isEmpty)
        // Names with quotes, backslashes and control characters still make valid JSON for json_each.
        #expect(try HistoryReader(history.db).categories(ofCode: "M5450", systems: ["ICD10CM", "a\"b\\c\n\u{1}"]) == ["LOW_BACK_PAIN"])
        let stored = try history.db.scalarInt("SELECT count(*) FROM value_set_code") ?? 0
        #expect(stored == Int64(shipped.reduce(0) { $0 + $1.codes.count }))
    }

    @Test func digestDependsOnNameSystemAndCodesOnly() {
        let a = ValueSet(name: "A", codeSystem: .cpt, codes: [.init(code: "2", description: "x"), .init(code: "1", description: "y")], origin: "f")
        let sameCodes = ValueSet(name: "A", codeSystem: .cpt, codes: [.init(code: "1", description: "other"), .init(code: "2", description: "")], origin: "g")
        let otherName = ValueSet(name: "B", codeSystem: .cpt, codes: a.codes, origin: "f")
        let otherSystem = ValueSet(name: "A", codeSystem: .hcpcs, codes: a.codes, origin: "f")
        let otherCodes = ValueSet(name: "A", codeSystem: .cpt, codes: [.init(code: "1", description: "")], origin: "f")
        #expect(ValueSetStore.digest(a) == ValueSetStore.digest(sameCodes))
        #expect(Set([a, otherName, otherSystem, otherCodes].map(ValueSetStore.digest)).count == 4)
    }

    private func loadMixedClaims(_ history: TestHistory) throws {
        try history.loadClaims([
            .init(claim: "C1", line: 1, member: "M1", start: "2024-03-01", hcpcs: "72148", dx: ["m54.50", "C50.911", "Z00.00"], revenue: "0320"),
            .init(claim: "C1", line: 2, member: "M1", start: "2024-03-01", hcpcs: "72100", dx: ["m54.50", "C50.911", "Z00.00"]),
            .init(claim: "C1", line: 3, member: "M1", start: "2024-03-01", hcpcs: "99213", dx: ["m54.50", "C50.911", "Z00.00"]),
            .init(claim: "C2", line: 1, type: "institutional", member: "M2", start: "20240315", hcpcs: "72131",
                  dx: ["S01409A", "F1110", "G834", "M4626", "B20"], revenue: "0612"),
            .init(claim: "C3", line: 1, member: "M1", start: "2023-11-30", dx: ["M545"]),
        ])
    }

    @Test func rebuildingGivesTheRowsTheLoaderDerived() throws {
        let history = try TestHistory()
        try loadMixedClaims(history)
        let loaded = try derivedEvents(history.db)
        let lineFacts = try rows(history.db, "SELECT * FROM line_category ORDER BY 1, 2, 3")
        let eventFacts = try rows(history.db, "SELECT * FROM dx_event ORDER BY 1, 2, 3, 4, 5")
        #expect(lineFacts.first == ["C1", 1, "IMAGING_MRI", "M1", dayNumber("2024-03-01"), "72148", "professional",
                                    dayNumber("2024-03-01"), "M5450", 1, "", "0320", ""])
        #expect(loaded.dx == [
            ["M1", "CANCER", dayNumber("2024-03-01"), "C1", 2, "C50911"],
            ["M1", "LOW_BACK_PAIN", dayNumber("2023-11-30"), "C3", 1, "M545"],
            ["M1", "LOW_BACK_PAIN", dayNumber("2024-03-01"), "C1", 1, "M5450"],
            ["M2", "HIV", dayNumber("2024-03-15"), "C2", 5, "B20"],
            ["M2", "IV_DRUG_ABUSE", dayNumber("2024-03-15"), "C2", 2, "F1110"],
            ["M2", "NEUROLOGIC_IMPAIRMENT", dayNumber("2024-03-15"), "C2", 3, "G834"],
            ["M2", "SPINAL_INFECTION", dayNumber("2024-03-15"), "C2", 4, "M4626"],
            ["M2", "TRAUMA", dayNumber("2024-03-15"), "C2", 1, "S01409A"],
        ])
        #expect(loaded.lines == [
            ["C1", 1, "IMAGING_MRI"], ["C1", 1, "IMAGING_REVENUE"], ["C1", 2, "IMAGING_XRAY"],
            ["C2", 1, "IMAGING_CT"], ["C2", 1, "IMAGING_REVENUE"],
        ])

        // `lbp valuesets reload`.
        try ValueSetStore(history.db).replaceAll(with: EmbeddedValueSets.all())
        let rebuilt = try derivedEvents(history.db)
        #expect(rebuilt.dx == loaded.dx)
        #expect(rebuilt.lines == loaded.lines)

        try ValueSetStore(history.db).rebuildDerivedEvents()
        #expect(try derivedEvents(history.db) == rebuilt)
        // Every derived column, not only the keys, is the same after a rebuild.
        #expect(try rows(history.db, "SELECT * FROM line_category ORDER BY 1, 2, 3") == lineFacts)
        #expect(try rows(history.db, "SELECT * FROM dx_event ORDER BY 1, 2, 3, 4, 5") == eventFacts)
    }

    @Test func upsertingAValueSetRederivesEventsWithoutReloading() throws {
        let history = try TestHistory()
        try loadMixedClaims(history)
        let ledgerBefore = try history.db.scalarInt("SELECT count(*) FROM load_ledger")
        let lbp = try #require(EmbeddedValueSets.all().first { $0.name == "LOW_BACK_PAIN" })
        let widened = ValueSet(name: "LOW_BACK_PAIN", codeSystem: .icd10cm,
                               codes: lbp.codes + [.init(code: "Z0000", description: "test: added")], origin: "plan.csv")
        try ValueSetStore(history.db).upsert([widened])

        let dx = try rows(history.db, "SELECT claim_id, position, code FROM dx_event WHERE category = 'LOW_BACK_PAIN' ORDER BY 1, 2")
        #expect(dx == [["C1", 1, "M5450"], ["C1", 3, "Z0000"], ["C3", 1, "M545"]])
        #expect(try history.db.scalarText("SELECT origin FROM value_set WHERE name = 'LOW_BACK_PAIN'") == "plan.csv")
        #expect(try history.db.scalarInt("SELECT code_count FROM value_set WHERE name = 'LOW_BACK_PAIN'") == Int64(lbp.codes.count + 1))
        // Other sets and their events are kept.
        #expect(try history.db.scalarInt("SELECT count(*) FROM value_set") == Int64(EmbeddedValueSets.all().count))
        #expect(try history.db.scalarInt("SELECT count(*) FROM dx_event WHERE category = 'CANCER'") == 1)
        #expect(try history.db.scalarInt("SELECT count(*) FROM load_ledger") == ledgerBefore)
    }

    @Test func upsertingANarrowerSetAndANewProcedureSet() throws {
        let history = try TestHistory()
        try loadMixedClaims(history)
        try ValueSetStore(history.db).upsert([
            ValueSet(name: "LOW_BACK_PAIN", codeSystem: .icd10cm, codes: [.init(code: "M545", description: "")], origin: "x"),
            ValueSet(name: "OFFICE_VISIT", codeSystem: .cpt, codes: [.init(code: "99213", description: "")], origin: "x"),
        ])
        let dx = try rows(history.db, "SELECT claim_id, code FROM dx_event WHERE category = 'LOW_BACK_PAIN' ORDER BY 1")
        #expect(dx == [["C3", "M545"]])
        let lines = try rows(history.db, "SELECT claim_id, line_number FROM line_category WHERE category = 'OFFICE_VISIT'")
        #expect(lines == [["C1", 3]])

        // A later load derives with the stored sets, not the shipped ones.
        try history.loadClaims([.init(claim: "C9", member: "M9", start: "2024-05-01", hcpcs: "99213", dx: ["M5450", "M545"])])
        #expect(try rows(history.db, "SELECT claim_id, position FROM dx_event WHERE claim_id = 'C9'") == [["C9", 2]])
        #expect(try rows(history.db, "SELECT category FROM line_category WHERE claim_id = 'C9'") == [["OFFICE_VISIT"]])
    }

    @Test func replaceAllDropsSetsNotGiven() throws {
        let history = try TestHistory()
        try loadMixedClaims(history)
        let cancer = try #require(EmbeddedValueSets.all().first { $0.name == "CANCER" })
        try ValueSetStore(history.db).replaceAll(with: [cancer])
        #expect(try ValueSetStore(history.db).list().map(\.name) == ["CANCER"])
        #expect(try rows(history.db, "SELECT category, claim_id FROM dx_event") == [["CANCER", "C1"]])
        #expect(try rows(history.db, "SELECT * FROM line_category").isEmpty)
    }
}
