/// One segment's elements: pointers into the reader's buffer, valid until the reader moves on.
///
/// Element 0 is the segment id (`CLM`), element 1 the first data element (`CLM01`). A missing
/// element reads as empty, so `segment[7]` of a short segment is simply "".
public struct Segment {
    let base: UnsafePointer<UInt8>
    let starts: UnsafePointer<Int>
    let ends: UnsafePointer<Int>
    /// Number of elements, the id included.
    public let count: Int
    public let separators: Separators

    /// The bytes of element `index` (empty when the segment has fewer elements).
    @inline(__always)
    public subscript(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        guard index < count else { return UnsafeBufferPointer(start: base, count: 0) }
        return UnsafeBufferPointer(start: base + starts[index], count: ends[index] - starts[index])
    }

    /// Component `component` (1-based, as in `CLM05-3`) of element `index`; empty when absent.
    public func component(_ index: Int, _ component: Int) -> UnsafeBufferPointer<UInt8> {
        let element = self[index]
        let separator = separators.component
        var current = 1, start = 0
        for i in 0..<element.count where element[i] == separator {
            if current == component { return UnsafeBufferPointer(rebasing: element[start..<i]) }
            current += 1
            start = i + 1
        }
        return current == component ? UnsafeBufferPointer(rebasing: element[start...]) : UnsafeBufferPointer(start: base, count: 0)
    }

    /// Whether the segment id is `id` (two or three ASCII letters or digits).
    @inline(__always)
    public func `is`(_ id: StaticString) -> Bool {
        Segment.equals(self[0], id)
    }

    /// Whether element `index` is exactly `text`.
    @inline(__always)
    public func element(_ index: Int, is text: StaticString) -> Bool {
        Segment.equals(self[index], text)
    }

    @inline(__always)
    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let other = text.utf8Start
        for i in 0..<bytes.count where bytes[i] != other[i] { return false }
        return true
    }

    /// The segment id as text, for messages (at most 3 characters, non-ASCII shown as `?`).
    public var id: String {
        String(decoding: self[0].prefix(3).map { $0 >= 32 && $0 < 127 ? $0 : 63 }, as: UTF8.self)
    }
}
