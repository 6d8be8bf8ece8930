/// The delimiters one interchange declares in its ISA segment.
///
/// The ISA is fixed-length (106 characters): the element separator is its 4th character, the
/// repetition separator ISA11 (in 4010 the letter `U`, meaning none), the component separator
/// ISA16, and the segment terminator the character right after ISA16.
public struct Separators: Equatable, Sendable {
    public let element: UInt8
    public let component: UInt8
    /// nil when ISA11 is not a separator (4010's `U`, or a character that collides with another).
    public let repetition: UInt8?
    public let segment: UInt8

    public init(element: UInt8, component: UInt8, repetition: UInt8?, segment: UInt8) {
        self.element = element
        self.component = component
        self.repetition = repetition
        self.segment = segment
    }

    /// The ISA's length, terminator included.
    static let isaLength = 106
    /// Offsets of the 16 element separators in an ISA (ISA01 starts at 4).
    static let isaSeparatorOffsets = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103]

    /// Reads the separators from the 106 bytes of an ISA segment.
    ///
    /// - Throws: `X12Error.malformedISA` when an element has the wrong width or two separators collide.
    static func read(isa bytes: UnsafeBufferPointer<UInt8>, segment: Int) throws -> Separators {
        precondition(bytes.count >= isaLength)
        let element = bytes[3]
        guard isSeparatorCandidate(element) else {
            throw X12Error.malformedISA(segment: segment, reason: "its element separator (4th character) is a letter, digit or space")
        }
        var expected = 0
        for offset in 3...103 where bytes[offset] == element {
            guard expected < isaSeparatorOffsets.count, isaSeparatorOffsets[expected] == offset else {
                let field = expected == 0 ? 1 : expected
                throw X12Error.malformedISA(segment: segment, reason: "ISA\(field < 10 ? "0" : "")\(field) does not have its fixed width")
            }
            expected += 1
        }
        guard expected == isaSeparatorOffsets.count else {
            throw X12Error.malformedISA(segment: segment, reason: "it has \(expected) of its 16 elements in the first 106 characters")
        }
        let component = bytes[104]
        let terminator = bytes[105]
        guard isSeparatorCandidate(component) else {
            throw X12Error.malformedISA(segment: segment, reason: "ISA16 (the component separator) is a letter, digit or space")
        }
        guard terminator != element, terminator != component, !isAlphanumeric(terminator), terminator != 32 else {
            throw X12Error.malformedISA(segment: segment, reason: "the segment terminator after ISA16 is missing or collides with another separator")
        }
        guard component != element else {
            throw X12Error.malformedISA(segment: segment, reason: "the component separator (ISA16) is the element separator")
        }
        let isa11 = bytes[82]
        let repetition: UInt8? = isSeparatorCandidate(isa11) && isa11 != element && isa11 != component && isa11 != terminator ? isa11 : nil
        return Separators(element: element, component: component, repetition: repetition, segment: terminator)
    }

    private static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }

    private static func isSeparatorCandidate(_ c: UInt8) -> Bool {
        !isAlphanumeric(c) && c != 32 && c != 10 && c != 13 && c != 0
    }
}
