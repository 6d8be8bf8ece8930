import Foundation
import History
import Policy
import Testing

/// Red-flag window bounds: parsing `-1y`, `+28d`, `0d`, the days they fall on, and JSON.
@Suite("WindowBound")
struct WindowBoundTests {
    @Test("parses day and year offsets", arguments: [
        ("-1y", WindowBound.years(-1)),
        ("+28d", .days(28)),
        ("28d", .days(28)),
        ("0d", .days(0)),
        ("-90d", .days(-90)),
        ("+1y", .years(1)),
        ("-365d", .days(-365)),
        (" -1y ", .years(-1)),
    ])
    func parses(text: String, bound: WindowBound) {
        #expect(WindowBound(text: text) == bound)
    }

    @Test("rejects anything else", arguments: ["", "d", "y", "1", "28", "1w", "-1m", "abc", "1.5d", "--1d", "+-1d", "1 d", "d28", "-1yd"])
    func rejects(text: String) {
        #expect(WindowBound(text: text) == nil)
    }

    @Test("description parses back to the same bound", arguments: [WindowBound.years(-1), .days(28), .days(0), .days(-90), .years(2)])
    func descriptionRoundTrip(bound: WindowBound) {
        #expect(WindowBound(text: bound.description) == bound)
    }

    @Test("descriptions")
    func descriptions() {
        #expect(WindowBound.years(-1).description == "-1y")
        #expect(WindowBound.days(28).description == "+28d")
        #expect(WindowBound.days(-90).description == "-90d")
        #expect(WindowBound.unbounded.description == "unbounded")
    }

    @Test("the day each bound falls on")
    func days() {
        let i = day("2024-03-01")
        #expect(WindowBound.days(28).day(from: i) == day("2024-03-29"))
        #expect(WindowBound.days(0).day(from: i) == i)
        #expect(WindowBound.days(-90).day(from: i) == day("2023-12-02"))
        #expect(WindowBound.years(-1).day(from: i) == day("2023-03-01"))
        #expect(WindowBound.years(0).day(from: i) == i)
        #expect(WindowBound.unbounded.day(from: i) == nil)
    }

    @Test("a year from Feb 29 is Feb 28", arguments: [
        (WindowBound.years(-1), "2024-02-29", "2023-02-28"),
        (.years(1), "2024-02-29", "2025-02-28"),
        (.years(-4), "2024-02-29", "2020-02-29"),
        (.years(-1), "2025-02-28", "2024-02-28"),
        (.years(-1), "2024-12-31", "2023-12-31"),
    ])
    func leapDays(bound: WindowBound, from: String, expected: String) {
        #expect(bound.day(from: day(from)) == day(expected))
    }

    @Test("JSON: a string, or null for unbounded; anything else is an error")
    func json() throws {
        struct Box: Codable, Equatable { var bound: WindowBound }
        let decoder = JSONDecoder()
        #expect(try decoder.decode(Box.self, from: Data(#"{"bound": "-1y"}"#.utf8)).bound == .years(-1))
        #expect(try decoder.decode(Box.self, from: Data(#"{"bound": null}"#.utf8)).bound == .unbounded)
        #expect(throws: DecodingError.self) { try decoder.decode(Box.self, from: Data(#"{"bound": "soon"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Box.self, from: Data(#"{"bound": 28}"#.utf8)) }

        let encoded = try JSONEncoder().encode([WindowBound.unbounded, .days(28), .years(-1)])
        #expect(String(decoding: encoded, as: UTF8.self) == #"[null,"+28d","-1y"]"#)
    }
}
