import DelimitedText
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// One record as the reader saw it.
private struct Record: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [String]
    var issue: RecordIssue?
    var raw: [UInt8]

    var description: String { "line \(line) \(fields) \(String(describing: issue))" }
}

/// A source that hands out at most `step` bytes per read (a pipe, a slow disk).
private struct TrickleSource: ByteSource {
    private let bytes: [UInt8]
    private let step: Int
    private var offset = 0

    init(_ bytes: [UInt8], step: Int) {
        self.bytes = bytes
        self.step = step
    }

    var bytesConsumed: Int64 { Int64(offset) }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, step, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}

/// Reads the header and every record of `source`.
private func readAll(_ source: any ByteSource, delimiter: UInt8? = nil, maxRecordBytes: Int = 64 << 20,
                     chunkBytes: Int = 1 << 20) throws -> (header: [String], delimiter: UInt8, records: [Record]) {
    let reader = CSVReader(source: source, delimiter: delimiter, maxRecordBytes: maxRecordBytes, chunkBytes: chunkBytes)
    let header = try reader.readHeader()
    var records: [Record] = []
    while try reader.next() {
        records.append(Record(line: reader.lineNumber, fields: (0..<reader.fieldCount).map { reader.string($0) },
                              issue: reader.issue, raw: reader.rawRecord))
    }
    return (header, reader.delimiter, records)
}

private func readAll(_ text: String, delimiter: UInt8? = nil, maxRecordBytes: Int = 64 << 20,
                     chunkBytes: Int = 1 << 20) throws -> (header: [String], delimiter: UInt8, records: [Record]) {
    try readAll(MemorySource(text), delimiter: delimiter, maxRecordBytes: maxRecordBytes, chunkBytes: chunkBytes)
}

/// Runs `gzip -c` on a file and returns the compressed bytes.
private func gzip(_ path: String) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
    process.arguments = ["-c", "-n", path]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return Array(data)
}

/// Reads a source to its end.
private func drain(_ source: inout any ByteSource) throws -> [UInt8] {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
        if n == 0 { return out }
        out += chunk[0..<n]
    }
}

private func fileMode(_ path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o777
}

@Suite("CSVReader, GzipSource and OutputFile")
struct CSVReaderTests {
    // MARK: Quoting

    @Test func quotedFieldsAreUnquoted() throws {
        let result = try readAll("a,b,c\n\"x\",\"\",plain\n")
        #expect(result.header == ["a", "b", "c"])
        #expect(result.records.map(\.fields) == [["x", "", "plain"]])
        #expect(result.records[0].issue == nil)
    }

    @Test func doubledQuotesAreEscapes() throws {
        let result = try readAll("a,b\n\"he said \"\"hi\"\"\",\"\"\"\"\n\"x\"\"\",2\n")
        #expect(result.records.map(\.fields) == [["he said \"hi\"", "\""], ["x\"", "2"]])
        #expect(result.records.allSatisfy { $0.issue == nil })
    }

    @Test func embeddedDelimitersStayInTheField() throws {
        let result = try readAll("a,b\n\"1,2,3\",\"x|y\"\n")
        #expect(result.records.map(\.fields) == [["1,2,3", "x|y"]])
    }

    @Test func embeddedNewlinesKeepPhysicalLineNumbers() throws {
        let text = "a,b\n\"first\nsecond\nthird\",x\n1,2\n\"p\r\nq\",y\r\n3,4\n"
        let result = try readAll(text)
        #expect(result.records.map(\.fields) == [["first\nsecond\nthird", "x"], ["1", "2"], ["p\r\nq", "y"], ["3", "4"]])
        // The header is line 1; a record's number is the line it starts on.
        #expect(result.records.map(\.line) == [2, 5, 6, 8])
    }

    @Test func textAfterClosingQuoteIsAnIssueAndReadingGoesOn() throws {
        let result = try readAll("a,b\n\"ab\"c,d\n1,2\n")
        #expect(result.records.count == 2)
        #expect(result.records[0].issue == .textAfterClosingQuote)
        #expect(result.records[0].line == 2)
        #expect(result.records[1].fields == ["1", "2"])
        #expect(result.records[1].issue == nil)
        #expect(result.records[1].line == 3)
    }

    @Test func unterminatedQuoteAtEndOfFile() throws {
        let result = try readAll("a,b\n1,2\n3,\"never closed\n4,5\n")
        #expect(result.records.count == 2)
        #expect(result.records[0].fields == ["1", "2"])
        #expect(result.records[0].issue == nil)
        #expect(result.records[1].line == 3)
        #expect(result.records[1].issue == .unterminatedQuote)
        #expect(result.records[1].fields == ["3", "never closed\n4,5\n"])
    }

    // MARK: Line ends

    @Test func crlfLineEnds() throws {
        let result = try readAll("a,b\r\n1,2\r\n3,\"4\"\r\n")
        #expect(result.header == ["a", "b"])
        #expect(result.records.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(result.records.map(\.line) == [2, 3])
    }

    @Test func mixedCrlfAndLf() throws {
        let result = try readAll("a,b\r\n1,2\n3,4\r\n5,6\n7,8")
        #expect(result.records.map(\.fields) == [["1", "2"], ["3", "4"], ["5", "6"], ["7", "8"]])
        #expect(result.records.map(\.line) == [2, 3, 4, 5])
        #expect(result.records.allSatisfy { $0.issue == nil })
    }

    @Test func loneCarriageReturnEndsARecord() throws {
        let result = try readAll("a,b\r1,2\r3,4\r")
        #expect(result.header == ["a", "b"])
        #expect(result.records.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(result.records.map(\.line) == [2, 3])
    }

    @Test func lastRecordWithoutLineEnd() throws {
        let result = try readAll("a,b\n1,2")
        #expect(result.records.map(\.fields) == [["1", "2"]])
    }

    @Test func emptyLinesAreSkippedButCounted() throws {
        let result = try readAll("a,b\n\n1,2\n\r\n\n3,4\n\n")
        #expect(result.records.map(\.fields) == [["1", "2"], ["3", "4"]])
        #expect(result.records.map(\.line) == [3, 6])
    }

    // MARK: Header, BOM, delimiters

    @Test func byteOrderMarkIsSkipped() throws {
        let result = try readAll("\u{FEFF}claim_id,member_id\n1,2\n")
        #expect(result.header == ["claim_id", "member_id"])
        #expect(result.records.map(\.fields) == [["1", "2"]])
        #expect(result.records[0].line == 2)
    }

    @Test func headerNamesAreTrimmed() throws {
        let result = try readAll(" a , b\t\n1,2\n")
        #expect(result.header == ["a", "b"])
    }

    @Test func emptyFileHasNoHeader() throws {
        #expect(try readAll("").header == [])
        #expect(try readAll("\n\n\r\n").header == [])
    }

    @Test func headerWithNulByteIsNotText() throws {
        #expect(throws: CSVHeaderError.self) { _ = try readAll(MemorySource([0x61, 0x00, 0x62, 0x0A, 0x31, 0x0A])) }
    }

    @Test func headerThatIsNotUTF8IsNotText() throws {
        #expect(throws: CSVHeaderError.self) { _ = try readAll(MemorySource([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) }
    }

    @Test(arguments: [
        ("a,b,c\n1,2,3\n", ","),
        ("a|b|c\n1|2|3\n", "|"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("\"x,y\"|b|c\n1|2|3\n", "|"),
        ("\"a|b|c\",d\n1,2\n", ","),
        ("a;b\n1\n", ","),
    ])
    func delimiterIsDetectedFromTheHeader(text: String, expected: String) throws {
        let result = try readAll(text)
        #expect(result.delimiter == UInt8(ascii: Unicode.Scalar(expected)!))
        #expect(result.records.allSatisfy { $0.fields.count == result.header.count })
    }

    @Test func givenDelimiterIsNotDetected() throws {
        let result = try readAll("a|b,c\n1|2,3\n", delimiter: UInt8(ascii: ","))
        #expect(result.delimiter == UInt8(ascii: ","))
        #expect(result.header == ["a|b", "c"])
    }

    // MARK: Field counts and bad bytes

    @Test func emptyTrailingFieldsCount() throws {
        let result = try readAll("a,b,c\n1,2,\n,,\n\"\",,\"\"\n")
        #expect(result.records.map(\.fields) == [["1", "2", ""], ["", "", ""], ["", "", ""]])
    }

    @Test func raggedRowsShowTheirFieldCount() throws {
        let result = try readAll("a,b,c\n1\n1,2,3,4,5\n1,2,3\n")
        #expect(result.records.map(\.fields.count) == [1, 5, 3])
        #expect(result.records.allSatisfy { $0.issue == nil })
    }

    @Test func nulByteIsAnIssue() throws {
        let bytes = Array("a,b\n1,x".utf8) + [0] + Array("y\n\"q".utf8) + [0] + Array("\",2\n3,4\n".utf8)
        let result = try readAll(MemorySource(bytes))
        #expect(result.records.map(\.issue) == [.nulByte, .nulByte, nil])
        #expect(result.records.map(\.line) == [2, 3, 4])
        #expect(result.records[2].fields == ["3", "4"])
    }

    // MARK: Size limits

    @Test func recordLargerThanTheLimitIsSkipped() throws {
        let big = String(repeating: "x", count: 5_000)
        let text = "a,b\n1,2\n\(big),\"q\nr\"\n3,4\n"
        let result = try readAll(text, maxRecordBytes: 1_000, chunkBytes: 64)
        #expect(result.records.count == 3)
        #expect(result.records[0].fields == ["1", "2"])
        #expect(result.records[1].issue == .tooLarge(limit: 1_000))
        #expect(result.records[1].fields.isEmpty)
        #expect(result.records[1].line == 3)
        // rawRecord of an oversized record is a prefix of it, at most 1 KiB.
        #expect(!result.records[1].raw.isEmpty && result.records[1].raw.count <= 1_024)
        #expect(result.records[1].raw.allSatisfy { $0 == UInt8(ascii: "x") })
        // Reading continues after it, on the right line (the oversized record spans lines 3 and 4).
        #expect(result.records[2].fields == ["3", "4"])
        #expect(result.records[2].issue == nil)
        #expect(result.records[2].line == 5)
    }

    @Test
    func recordLargerThanTheLimitIsSkippedWhateverTheChunkSize() throws {
        let big = String(repeating: "x", count: 5_000)
        let result = try readAll("a,b\n\(big),1\n3,4\n", maxRecordBytes: 1_000)
        #expect(result.records.map(\.issue) == [.tooLarge(limit: 1_000), nil])
        #expect(result.records.last?.fields == ["3", "4"])
    }

    @Test
    func oversizedRecordWithAStrayQuoteDoesNotSwallowTheNextRecords() throws {
        let big = String(repeating: "x", count: 500) + "\"" + String(repeating: "y", count: 500)
        let text = "a,b\n\(big),1\n3,4\n5,6\n"
        // Under the limit, the stray quote is text and the next records are read.
        #expect(try readAll(text).records.map(\.line) == [2, 3, 4])
        let result = try readAll(text, maxRecordBytes: 100, chunkBytes: 64)
        #expect(result.records.map(\.issue) == [.tooLarge(limit: 100), nil, nil])
        #expect(result.records.dropFirst().map(\.fields) == [["3", "4"], ["5", "6"]])
        #expect(result.records.map(\.line) == [2, 3, 4])
    }

    @Test func tenMegabyteFieldUnderTheLimit() throws {
        let size = 10_000_000
        var bytes = Array("a,b\n\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "z"), count: size)
        bytes += Array("\",2\n3,4\n".utf8)
        let reader = CSVReader(source: MemorySource(bytes))
        #expect(try reader.readHeader() == ["a", "b"])
        #expect(try reader.next())
        #expect(reader.issue == nil)
        #expect(reader.fieldCount == 2)
        let field = reader.field(0)
        #expect(field.count == size)
        #expect(field.allSatisfy { $0 == UInt8(ascii: "z") })
        #expect(reader.string(1) == "2")
        #expect(try reader.next())
        #expect(reader.lineNumber == 3)
        #expect(reader.string(0) == "3")
        #expect(try !reader.next())
    }

    // MARK: Chunk boundaries

    /// Records with every feature that can straddle a buffer edge: quotes, escapes, CRLF, empty lines.
    private static func awkwardText(records: Int) -> String {
        var text = "id,name,note,tail\r\n"
        for i in 0..<records {
            switch i % 6 {
            case 0: text += "\(i),\"quoted, with comma\",\"line1\nline2\",x\n"
            case 1: text += "\(i),\"esc \"\"a\"\" \"\"b\"\"\",plain,\r\n"
            case 2: text += "\(i),,\"\",\"multi\r\nline\r\nfield\"\r\n\n"
            case 3: text += "\(i),\(String(repeating: "w", count: i % 97)),\"\(String(repeating: "\"\"", count: i % 13))\",y\n"
            case 4: text += "\r\n\(i),a,b,c\r\n"
            default: text += "\(i),\"\n\",\"\r\n\",\"\"\"\"\n"
            }
        }
        return text
    }

    @Test func recordsSpanningTheChunkBoundaryReadTheSame() throws {
        let text = Self.awkwardText(records: 600)
        let large = try readAll(text, chunkBytes: 1 << 20)
        let small = try readAll(text, chunkBytes: 64)
        #expect(large.records.count == 600)
        #expect(small.header == large.header)
        #expect(small.records == large.records)
        #expect(large.records.allSatisfy { $0.issue == nil && $0.fields.count == 4 })
        #expect(large.records.map { $0.fields[0] } == (0..<600).map(String.init))
    }

    @Test func shortReadsFromTheSourceReadTheSame() throws {
        let text = Self.awkwardText(records: 200)
        let whole = try readAll(text)
        for step in [1, 2, 3, 7, 61] {
            let trickled = try readAll(TrickleSource(Array(text.utf8), step: step), delimiter: UInt8(ascii: ","), chunkBytes: 64)
            #expect(trickled.header == whole.header, "step \(step)")
            #expect(trickled.records == whole.records, "step \(step)")
        }
    }

    @Test
    func shortFirstReadStillDetectsBOMAndDelimiter() throws {
        let text = "\u{FEFF}a|b|c\n1|2|3\n"
        let result = try readAll(TrickleSource(Array(text.utf8), step: 2))
        #expect(result.header == ["a", "b", "c"])
        #expect(result.delimiter == UInt8(ascii: "|"))
        #expect(result.records.map(\.fields) == [["1", "2", "3"]])
    }

    @Test
    func headerSplitAcrossGzipMembers() throws {
        let directory = TemporaryDirectory()
        let members = try gzip(directory.write("a.csv", "id")) + (try gzip(directory.write("b.csv", "|name|kind\n1|x|y\n")))
        let path = directory.write("split.csv.gz", bytes: members)
        let result = try readAll(try ExtractFile.open(path).source)
        #expect(result.delimiter == UInt8(ascii: "|"))
        #expect(result.header == ["id", "name", "kind"])
        #expect(result.records.map(\.fields) == [["1", "x", "y"]])
    }

    // MARK: Raw records

    @Test func rawRecordIsTheBytesAsInTheFile() throws {
        let text = "a,b\n1,\"x\"\"y\"\r\n\"multi\nline\",2\n  spaced , 3 \n"
        let result = try readAll(text)
        #expect(result.records.map { String(decoding: $0.raw, as: UTF8.self) } == [
            "1,\"x\"\"y\"",
            "\"multi\nline\",2",
            "  spaced , 3 ",
        ])
        // Fields are not trimmed by the reader.
        #expect(result.records[2].fields == ["  spaced ", " 3 "])
    }

    // MARK: Gzip

    @Test func gzipFileReadsLikeThePlainFile() throws {
        let directory = TemporaryDirectory()
        let text = Self.awkwardText(records: 3_000)
        let plainPath = directory.write("plain.csv", text)
        let compressed = try gzip(plainPath)
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
        let gzPath = directory.write("plain.csv.gz", bytes: compressed)

        let opened = try ExtractFile.open(gzPath)
        #expect(opened.size == Int64(compressed.count))
        let fromGzip = try readAll(opened.source)
        let fromPlain = try readAll(try ExtractFile.open(plainPath).source)
        #expect(fromGzip.records.count == 3_000)
        #expect(fromGzip.header == fromPlain.header)
        #expect(fromGzip.records == fromPlain.records)

        var source = try ExtractFile.open(gzPath).source
        #expect(try drain(&source) == Array(text.utf8))
        #expect(source.bytesConsumed == Int64(compressed.count))
    }

    @Test func concatenatedGzipMembersAreOneStream() throws {
        let directory = TemporaryDirectory()
        let first = "a,b\n1,2\n", second = "3,4\n5,6\n", third = "7,8\n"
        let members = try [first, second, third].enumerated().flatMap { index, text in
            try gzip(directory.write("part\(index).csv", text))
        }
        let path = directory.write("joined.csv.gz", bytes: members)
        var source = try ExtractFile.open(path).source
        #expect(try drain(&source) == Array((first + second + third).utf8))
        let result = try readAll(try ExtractFile.open(path).source)
        #expect(result.records.map(\.fields) == [["1", "2"], ["3", "4"], ["5", "6"], ["7", "8"]])
        #expect(result.records.map(\.line) == [2, 3, 4, 5])
    }

    @Test func truncatedGzipIsAReadError() throws {
        let directory = TemporaryDirectory()
        let compressed = try gzip(directory.write("x.csv", Self.awkwardText(records: 2_000)))
        let path = directory.write("cut.csv.gz", bytes: Array(compressed.prefix(compressed.count / 2)))
        var source = try ExtractFile.open(path).source
        let error = #expect(throws: ReadError.self) { _ = try drain(&source) }
        #expect(error?.path == path)
        #expect(error?.reason.contains("truncated") == true)
    }

    @Test func gzipWithOnlyItsTrailerMissingIsAReadError() throws {
        let directory = TemporaryDirectory()
        let compressed = try gzip(directory.write("x.csv", "a,b\n1,2\n"))
        let path = directory.write("cut.csv.gz", bytes: Array(compressed.dropLast(4)))
        var source = try ExtractFile.open(path).source
        #expect(throws: ReadError.self) { _ = try drain(&source) }
    }

    @Test func corruptGzipIsAReadError() throws {
        let directory = TemporaryDirectory()
        var compressed = try gzip(directory.write("x.csv", Self.awkwardText(records: 500)))
        for i in 20..<60 { compressed[i] ^= 0x5A }
        let path = directory.write("bad.csv.gz", bytes: compressed)
        var source = try ExtractFile.open(path).source
        #expect(throws: ReadError.self) { _ = try drain(&source) }
    }

    @Test func missingFileAndDirectoryAreReadErrors() throws {
        let directory = TemporaryDirectory()
        let missing = #expect(throws: ReadError.self) { _ = try ExtractFile.open(directory.file("nope.csv")) }
        #expect(missing?.path == directory.file("nope.csv"))
        let folder = #expect(throws: ReadError.self) { _ = try ExtractFile.open(directory.path) }
        #expect(folder?.reason.contains("directory") == true)
    }

    // MARK: OutputFile and CSVWriter

    @Test func outputFileIsOwnerOnlyAndAppearsOnCommit() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("out.csv")
        let file = try OutputFile(path: path)
        try file.write("hello\n")
        try file.flush()
        #expect(!FileManager.default.fileExists(atPath: path))
        let partials = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(partials.count == 1)
        #expect(partials.first?.hasPrefix("out.csv.partial-") == true)
        #expect(fileMode(directory.file(partials[0])) == 0o600)

        try file.write(bytes: [0x77, 0x6F, 0x72, 0x6C, 0x64, 0x0A])
        try file.commit()
        #expect(directory.read("out.csv") == "hello\nworld\n")
        #expect(fileMode(path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.csv"])
    }

    @Test func outputFileReplacingAWorldReadableFileIsOwnerOnly() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("out.csv", "old\n")
        chmod(path, 0o644)
        let file = try OutputFile(path: path)
        try file.write("new\n")
        try file.commit()
        #expect(directory.read("out.csv") == "new\n")
        #expect(fileMode(path) == 0o600)
    }

    @Test func discardLeavesNothing() throws {
        let directory = TemporaryDirectory()
        let file = try OutputFile(path: directory.file("out.csv"))
        try file.write(String(repeating: "row\n", count: 50_000))
        file.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func releasedWithoutCommitLeavesNothing() throws {
        let directory = TemporaryDirectory()
        do {
            let file = try OutputFile(path: directory.file("out.csv"))
            try file.write("x\n")
            try file.flush()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func outputFileInAMissingFolderIsAReadError() throws {
        let directory = TemporaryDirectory()
        #expect(throws: ReadError.self) { _ = try OutputFile(path: directory.file("no/such/out.csv")) }
    }

    @Test func csvWriterRowsReadBackUnchanged() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("w.csv")
        let writer = CSVWriter(file: try OutputFile(path: path))
        let rows = [
            ["plain", "with,comma", "with \"quote\"", "multi\nline"],
            ["", "crlf\r\nhere", "ünïcode", " spaced "],
        ]
        try writer.writeRow(["h1", "h2", "h3", "h4"])
        for row in rows { try writer.writeRow(row) }
        try writer.writeRow(["a", "b", "c"], rawLast: Array("raw,\"bytes\"".utf8) + [0xFF])
        try writer.file.commit()

        let result = try readAll(try ExtractFile.open(path).source)
        #expect(result.header == ["h1", "h2", "h3", "h4"])
        #expect(Array(result.records.prefix(2).map(\.fields)) == rows)
        #expect(result.records[2].issue == nil)
        #expect(Array(result.records[2].fields.prefix(3)) == ["a", "b", "c"])
        let reader = CSVReader(source: try FileSource(path: path))
        _ = try reader.readHeader()
        for _ in 0..<3 { #expect(try reader.next()) }
        #expect(Array(reader.field(3)) == Array("raw,\"bytes\"".utf8) + [0xFF])
    }

    @Test func escapeQuotesOnlyWhenNeeded() {
        #expect(CSVWriter.escape("abc") == "abc")
        #expect(CSVWriter.escape("a,b") == "\"a,b\"")
        #expect(CSVWriter.escape("a\"b") == "\"a\"\"b\"")
        #expect(CSVWriter.escape("a\rb") == "\"a\rb\"")
        #expect(CSVWriter.escape("") == "")
    }
}
