import SQLiteDB

#if canImport(Glibc)
import Glibc
#endif

/// Applies a claims file to the history as it is read, without a stage, when the rows of each claim
/// arrive together (as extracts and X12 files give them): a claim is judged and written when the
/// first row of the next claim (or the end of the file) is reached, by the rules `ClaimStore`
/// applies to a stage, with the same stored result.
///
/// Loaders bind each accepted row (`ClaimStage.Column` numbers) between `beginRow()` and
/// `commitRow()`. Only the current claim's rows are held in memory. Every finished claim id is
/// recorded in a TEMP table; a claim id that comes back after another claim throws `NotAdjacent`
/// before anything of that claim is written: the caller then rolls the file's transaction back
/// and loads the file through the stage (`ClaimStage`, `ClaimStore.applyStage`).
public final class ClaimStream: ClaimRowBinder {
    /// The file's claims are not adjacent: a claim id seen again after another claim.
    public struct NotAdjacent: Error {}

    private enum Slot { case null, int(Int64), text(start: Int32, count: Int32) }
    private typealias C = ClaimStage.Column
    private static let width = 27

    private let db: Connection
    private let loadID: Int64
    private let store: ClaimStore
    private let seen, crossReject: Statement
    private let valueSets: ValueSetProbe
    /// Stored lines waiting for a multi-row insert (`lineParameters` slots each), and their text.
    @exclusivity(unchecked) private var lineSlots: [Slot] = []
    @exclusivity(unchecked) private var lineBytes: [UInt8] = []
    private static let lineParameters = 17
    private static let linesPerInsert = 32

    /// The row being bound.
    @exclusivity(unchecked) private var pending: [Slot]
    @exclusivity(unchecked) private var pendingBytes: [UInt8] = []
    /// The current claim's committed rows (`width` slots each) and their text.
    @exclusivity(unchecked) private var slots: [Slot] = []
    @exclusivity(unchecked) private var bytes: [UInt8] = []
    @exclusivity(unchecked) private var rows = 0
    @exclusivity(unchecked) private var order: [Int] = []
    @exclusivity(unchecked) private var outcome = StageOutcome()

    /// Creates the TEMP tables of the pass (finished claim ids, rows of claims rejected whole).
    public init(db: Connection, loadID: Int64) throws {
        self.db = db
        self.loadID = loadID
        try db.execute("""
            DROP TABLE IF EXISTS temp.claim_seen;
            CREATE TEMP TABLE claim_seen(claim_id TEXT PRIMARY KEY, member_id TEXT, claim_type TEXT, start_day INTEGER,
                end_day INTEGER, dx_type TEXT, frequency TEXT, payer TEXT, plan TEXT, data_source TEXT, file_name TEXT,
                file_date TEXT, dx TEXT, from_day INTEGER, load_id INTEGER, dx_match INTEGER, line_match INTEGER)
                WITHOUT ROWID;
            DROP TABLE IF EXISTS temp.claim_cross_reject;
            CREATE TEMP TABLE claim_cross_reject(source_line INTEGER PRIMARY KEY, column_name TEXT, message TEXT);
            """)
        store = try ClaimStore(db: db, loadID: loadID)
        seen = try db.prepare("""
            INSERT OR IGNORE INTO claim_seen(claim_id, member_id, claim_type, start_day, end_day, dx_type, frequency,
                payer, plan, data_source, file_name, file_date, dx, from_day, load_id, dx_match, line_match)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        valueSets = try ValueSetProbe(db)
        crossReject = try db.prepare("INSERT INTO claim_cross_reject(source_line, column_name, message) VALUES (?, ?, ?)")
        pending = Array(repeating: .null, count: Self.width)
    }

    // MARK: Binding a row

    /// Starts a row: every column NULL.
    public func beginRow() {
        for i in pending.indices { pending[i] = .null }
        pendingBytes.removeAll(keepingCapacity: true)
    }

    /// Forgets the row being bound (it was rejected).
    public func abandonRow() { beginRow() }

    public func bind(_ value: Int64, at index: Int32) { pending[Int(index) - 1] = .int(value) }
    public func bind(_ value: Int, at index: Int32) { pending[Int(index) - 1] = .int(Int64(value)) }
    public func bind(_ value: Int32?, at index: Int32) { pending[Int(index) - 1] = value.map { .int(Int64($0)) } ?? .null }
    public func bind(_ value: String?, at index: Int32) {
        guard var value else { pending[Int(index) - 1] = .null; return }
        value.withUTF8 { bindText($0, at: index) }
    }
    public func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) {
        pending[Int(index) - 1] = .text(start: Int32(pendingBytes.count), count: Int32(bytes.count))
        pendingBytes.append(contentsOf: bytes)
    }
    public func bindTextNoCopy(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) { bindText(bytes, at: index) }

    /// Adds the bound row to its claim, first finishing the previous claim when this row starts
    /// another. Returns false, keeping nothing, when the claim already has a row with this line
    /// number (the caller rejects the later row as a duplicate).
    ///
    /// - Throws: `NotAdjacent` when this row's claim id belongs to a claim finished before.
    public func commitRow() throws -> Bool {
        if rows > 0 {
            let sameClaim = pendingBytes.withUnsafeBufferPointer { p in
                bytes.withUnsafeBufferPointer { c in Self.equal(pending[0], in: p, slots[0], in: c) }
            }
            if sameClaim {
                let line = pending[Int(C.lineNumber.rawValue) - 1]
                for row in 0..<rows where Self.int(slots[row * Self.width + Int(C.lineNumber.rawValue) - 1]) == Self.int(line) {
                    return false
                }
            } else {
                try finishClaim()
            }
        }
        let base = Int32(bytes.count)
        for slot in pending {
            if case .text(let start, let count) = slot { slots.append(.text(start: start + base, count: count)) } else { slots.append(slot) }
        }
        bytes.append(contentsOf: pendingBytes)
        rows += 1
        outcome.stagedRows += 1
        return true
    }

    /// Finishes the last claim, stores the headers and diagnoses of the stored claims and records
    /// their members (set-based, from `temp.claim_seen`), and derives their events;
    /// `temp.claim_cross_reject` is left for `ClaimStage.forEachRejectedRow` (and dropped by
    /// `ClaimStage.drop`).
    public func finish() throws -> StageOutcome {
        if rows > 0 { try finishClaim() }
        try flushLines()
        try db.execute("""
            INSERT INTO claim(claim_id, claim_type, member_id, start_day, end_day, dx_code_type, frequency_code,
                payer, plan, data_source, file_name, file_date, load_id)
            SELECT claim_id, claim_type, member_id, start_day, end_day, dx_type, frequency, payer, plan, data_source,
                file_name, file_date, load_id
            FROM temp.claim_seen WHERE member_id IS NOT NULL ORDER BY claim_id;
            INSERT INTO claim_diagnosis(claim_id, position, code)
            SELECT h.claim_id, d.key + 1, d.value FROM temp.claim_seen h, json_each(h.dx) d
            WHERE h.member_id IS NOT NULL AND d.value <> '' ORDER BY h.claim_id, d.key;
            DELETE FROM claim_void WHERE claim_id IN (SELECT claim_id FROM temp.claim_seen WHERE member_id IS NOT NULL);
            """)
        try db.run("""
            INSERT INTO member_change(load_id, member_id, from_day)
            SELECT ?1, member_id, min(from_day) FROM temp.claim_seen WHERE member_id IS NOT NULL GROUP BY member_id
            ON CONFLICT (load_id, member_id) DO UPDATE SET from_day = min(from_day, excluded.from_day)
            """, [.integer(loadID)])
        try DerivedEvents(db).derive(.streamed)
        try db.execute("DROP TABLE temp.claim_seen")
        return outcome
    }

    // MARK: Judging and writing one claim

    private func finishClaim() throws {
        defer {
            slots.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
            rows = 0
        }
        try bytes.withUnsafeBufferPointer { try finishClaim(text: $0) }
    }

    private func slot(_ row: Int, _ column: C) -> Slot { slots[row * Self.width + Int(column.rawValue) - 1] }

    private func finishClaim(text: UnsafeBufferPointer<UInt8>) throws {
        // Rows in line-number order: the lowest-numbered line is the header.
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: 0..<rows)
        order.sort { (Self.int(slot($0, .lineNumber)) ?? 0) < (Self.int(slot($1, .lineNumber)) ?? 0) }
        let header = order[0]
        func same(_ row: Int, _ column: C) -> Bool { Self.equal(slot(row, column), in: text, slot(header, column), in: text) }
        func isVoid(_ row: Int) -> Bool {
            guard case .text(let start, let count) = slot(row, .frequency) else { return false }
            return count == 1 && text[Int(start)] == UInt8(ascii: "8")
        }

        var inconsistent: String?
        var diagnosesDiffer = false
        var void = isVoid(header)
        for row in order.dropFirst() {
            if isVoid(row) { void = true }
            if inconsistent == nil {
                if !same(row, .claimType) { inconsistent = "claim_type" }
                else if !same(row, .memberID) { inconsistent = "member_id" }
                else if Self.int(slot(row, .startDay)) != Self.int(slot(header, .startDay)) { inconsistent = "claim_start_date" }
            }
            if !same(row, .diagnoses) || !same(row, .dxType) { diagnosesDiffer = true }
        }
        let stored = inconsistent == nil && !void

        var fromDay = Int64.max
        if stored {
            for row in order {
                if let day = Self.int(slot(row, .startDay)) { fromDay = min(fromDay, day) }
                if let day = Self.int(slot(row, .lineStartDay)) { fromDay = min(fromDay, day) }
            }
        }

        // The claim id must be new to this file; nothing of the claim is written before this check.
        // A stored claim's header waits there for `finish()`.
        bind(seen, 1, header, .claimID, text)
        if stored {
            let columns: [C] = [.memberID, .claimType, .startDay, .endDay, .dxType, .frequency, .payer, .plan,
                                .dataSource, .fileName, .fileDate, .diagnoses]
            for (offset, column) in columns.enumerated() { bind(seen, Int32(offset + 2), header, column, text) }
            seen.bind(fromDay, at: 14)
            seen.bind(loadID, at: 15)
            // Flags that let the derived events skip the claims no value set can match.
            seen.bind(try diagnosesMayMatch(header, text) ? 1 : 0, at: 16)
            seen.bind(try linesMayMatch(text) ? 1 : 0, at: 17)
        }
        try seen.run()
        guard db.changes == 1 else { throw NotAdjacent() }

        if let column = inconsistent {
            for row in order {
                bind(crossReject, 1, row, .sourceLine, text)
                crossReject.bind(column, at: 2)
                crossReject.bind("the rows of this claim disagree on \(column)", at: 3)
                try crossReject.run()
            }
            outcome.rejectedRows += rows
            return
        }
        if diagnosesDiffer { outcome.warnings += 1 }
        let claimID = Self.string(slot(header, .claimID), in: text)
        let existed = try store.remove(claimID: claimID)
        if void {
            if existed {
                try store.recordVoid(claimID: claimID)
                outcome.claimsVoided += 1
            } else {
                outcome.voidsOfUnknownClaims += 1
            }
            outcome.voidRows += rows
            return
        }
        if existed { outcome.claimsReplaced += 1 }
        outcome.claimsStored += 1
        outcome.linesStored += rows
        try queueLines(text)
    }

    // MARK: Value-set flags

    /// Whether an ICD-10-CM diagnosis of the claim may be in a value set (true when unsure).
    private func diagnosesMayMatch(_ header: Int, _ text: UnsafeBufferPointer<UInt8>) throws -> Bool {
        guard case .text(let typeStart, let typeCount) = slot(header, .dxType),
              Self.equal(text, typeStart, typeCount, "icd-10-cm"),
              case .text(let start, let count) = slot(header, .diagnoses) else { return false }
        // The reader's JSON array of strings: ["A10","",...]; an escaped string is left to SQLite.
        let json = UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)])
        var i = 1
        while i < json.count, json[i] == UInt8(ascii: "\"") {
            var end = i + 1
            while end < json.count, json[end] != UInt8(ascii: "\"") {
                if json[end] == UInt8(ascii: "\\") { return true }
                end += 1
            }
            if end > i + 1, try valueSets.contains(.diagnosis, UnsafeBufferPointer(rebasing: json[(i + 1)..<end])) { return true }
            i = end + 2
        }
        return false
    }

    /// Whether a line's procedure or revenue code of the claim may be in a value set.
    private func linesMayMatch(_ text: UnsafeBufferPointer<UInt8>) throws -> Bool {
        for row in order {
            if case .text(let start, let count) = slot(row, .hcpcs),
               try valueSets.contains(.procedure, UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)])) { return true }
            if case .text(let start, let count) = slot(row, .revenue),
               try valueSets.contains(.revenue, UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)])) { return true }
        }
        return false
    }

    // MARK: Lines

    /// The parameters of one `claim_line` row, by column.
    private static let lineColumns: [C] = [.claimID, .lineNumber, .startDay, .lineStartDay, .hcpcs, .modifier1,
                                           .modifier2, .modifier3, .modifier4, .modifier5, .revenue, .billType,
                                           .placeOfService, .paid, .charge, .startDay, .sourceLine]

    /// Queues the current claim's lines (in line order) for the multi-row insert.
    private func queueLines(_ text: UnsafeBufferPointer<UInt8>) throws {
        for row in order {
            for (offset, column) in Self.lineColumns.enumerated() {
                var value = slot(row, column)
                if offset == 2, case .int = slot(row, .lineStartDay) { value = slot(row, .lineStartDay) } // service day
                if offset == 15 { value = .int(loadID) }
                if case .text(let start, let count) = value {
                    lineSlots.append(.text(start: Int32(lineBytes.count), count: count))
                    lineBytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)]))
                } else {
                    lineSlots.append(value)
                }
            }
            if lineSlots.count == Self.lineParameters * Self.linesPerInsert { try flushLines() }
        }
    }

    /// Inserts the queued lines with one statement.
    private func flushLines() throws {
        let lines = lineSlots.count / Self.lineParameters
        guard lines > 0 else { return }
        defer {
            lineSlots.removeAll(keepingCapacity: true)
            lineBytes.removeAll(keepingCapacity: true)
        }
        let row = "(" + Array(repeating: "?", count: Self.lineParameters).joined(separator: ", ") + ")"
        let insert = try db.cached("""
            INSERT INTO claim_line(claim_id, line_number, service_day, line_start_day, hcpcs_code, hcpcs_modifier_1,
                hcpcs_modifier_2, hcpcs_modifier_3, hcpcs_modifier_4, hcpcs_modifier_5, revenue_center_code,
                bill_type_code, place_of_service_code, paid_amount, charge_amount, load_id, source_line)
            VALUES \(Array(repeating: row, count: lines).joined(separator: ", "))
            """)
        try lineBytes.withUnsafeBufferPointer { text in
            for (offset, value) in lineSlots.enumerated() { Self.bind(insert, Int32(offset + 1), value, text) }
            try insert.run()
        }
    }

    // MARK: Slots

    private func bind(_ statement: Statement, _ index: Int32, _ row: Int, _ column: C, _ text: UnsafeBufferPointer<UInt8>) {
        Self.bind(statement, index, slot(row, column), text)
    }

    private static func bind(_ statement: Statement, _ index: Int32, _ value: Slot, _ text: UnsafeBufferPointer<UInt8>) {
        switch value {
        case .null: statement.bindNull(at: index)
        case .int(let value): statement.bind(value, at: index)
        case .text(let start, let count):
            statement.bindTextNoCopy(UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)]), at: index)
        }
    }

    private static func equal(_ text: UnsafeBufferPointer<UInt8>, _ start: Int32, _ count: Int32, _ other: StaticString) -> Bool {
        Int(count) == other.utf8CodeUnitCount && memcmp(text.baseAddress! + Int(start), other.utf8Start, Int(count)) == 0
    }

    private static func int(_ slot: Slot) -> Int64? {
        if case .int(let value) = slot { return value }
        return nil
    }

    private static func string(_ slot: Slot, in text: UnsafeBufferPointer<UInt8>) -> String {
        guard case .text(let start, let count) = slot else { return "" }
        return String(decoding: UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)]), as: UTF8.self)
    }

    /// Whether two slots hold the same value (text compared byte for byte).
    private static func equal(_ a: Slot, in textA: UnsafeBufferPointer<UInt8>, _ b: Slot, in textB: UnsafeBufferPointer<UInt8>) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.int(let x), .int(let y)): return x == y
        case (.text(let sa, let ca), .text(let sb, let cb)):
            return ca == cb && (ca == 0 || memcmp(textA.baseAddress! + Int(sa), textB.baseAddress! + Int(sb), Int(ca)) == 0)
        default: return false
        }
    }
}
