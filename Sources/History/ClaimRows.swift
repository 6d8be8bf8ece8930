/// One value of a row held in memory: NULL, an integer, or text as a range of the row set's bytes.
public enum RowValue: Sendable {
    case null
    case int(Int64)
    case text(start: Int32, count: Int32)
}

/// Accepted claim rows in file order, as `ClaimStage.Column` values (`ClaimRows.width` per row)
/// over one byte buffer: what a reader hands to a `ClaimStream`, possibly from another thread.
public struct ClaimRows: Sendable {
    /// Values per row: one per `ClaimStage.Column`.
    public static let width = 27

    /// The rows' values, row after row.
    public internal(set) var values: [RowValue] = []
    /// The text the values point into.
    public internal(set) var bytes: [UInt8] = []

    /// Number of rows.
    public var count: Int { values.count / Self.width }

    public init() {}
}

/// Collects a reader's rows into `ClaimRows` batches, binding one row at a time (a
/// `ClaimRowBinder`), and finds a duplicate line of the claim being read: rows of a claim are
/// adjacent in the files this serves (`ClaimStream`), so a line number seen earlier in the current
/// run of rows with the same claim id is a duplicate.
public final class ClaimRowBuffer: ClaimRowBinder {
    private typealias C = ClaimStage.Column

    /// Rows per batch.
    public let batchSize: Int
    @exclusivity(unchecked) private var pending: [RowValue] = Array(repeating: .null, count: ClaimRows.width)
    @exclusivity(unchecked) private var pendingBytes: [UInt8] = []
    @exclusivity(unchecked) private var batch = ClaimRows()
    /// The claim of the latest rows and the line numbers it has so far.
    @exclusivity(unchecked) private var claimID: [UInt8] = []
    @exclusivity(unchecked) private var lineNumbers = Set<Int64>()

    public init(batchSize: Int = 512) {
        self.batchSize = batchSize
    }

    /// Whether a batch is ready to be taken.
    public var isFull: Bool { batch.count >= batchSize }

    /// Hands over the rows committed since the last call.
    public func take() -> ClaimRows {
        defer {
            batch = ClaimRows()
            batch.values.reserveCapacity(batchSize * ClaimRows.width)
        }
        return batch
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

    /// Adds the bound row to the batch. Returns false, keeping nothing, when the claim being read
    /// already has a row with this line number (the caller rejects the later row as a duplicate).
    public func commitRow() -> Bool {
        guard case .text(let start, let count) = pending[Int(C.claimID.rawValue) - 1],
              case .int(let line) = pending[Int(C.lineNumber.rawValue) - 1] else {
            preconditionFailure("a claim row is committed without its claim id and line number")
        }
        let id = pendingBytes[Int(start)..<Int(start + count)]
        if id.elementsEqual(claimID) {
            if lineNumbers.contains(line) { return false }
        } else {
            claimID.removeAll(keepingCapacity: true)
            claimID.append(contentsOf: id)
            lineNumbers.removeAll(keepingCapacity: true)
        }
        lineNumbers.insert(line)
        let base = Int32(batch.bytes.count)
        for value in pending {
            if case .text(let start, let count) = value {
                batch.values.append(.text(start: start + base, count: count))
            } else {
                batch.values.append(value)
            }
        }
        batch.bytes.append(contentsOf: pendingBytes)
        return true
    }
}
