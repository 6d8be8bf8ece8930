import Foundation
import History
import Testing

@Suite("Day")
struct DayTests {
    private func day(_ text: String) throws -> Day { try #require(Day(iso: text), "\(text) should parse") }

    @Test func epochIsDayZero() throws {
        #expect(try day("1970-01-01").number == 0)
        #expect(try day("1970-01-02").number == 1)
        #expect(try day("1969-12-31").number == -1)
        #expect(try day("2024-03-01").number == 19_783)
    }

    @Test func bothFormsParseToTheSameDay() throws {
        #expect(try day("20240603") == day("2024-06-03"))
        #expect(try day("20240229") == day("2024-02-29"))
        #expect(try day("19991231").iso == "1999-12-31")
    }

    @Test func parseFromBytesMatchesParseFromText() throws {
        for text in ["2024-06-03", "20240603", "2023-02-29", "x"] {
            let fromBytes = Array(text.utf8).withUnsafeBufferPointer { Day.parse($0) }
            #expect(fromBytes == Day(iso: text), "\(text)")
        }
    }

    @Test(arguments: [
        "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00", "2024-01-32",
        "2024-1-01", "2024-01-1", "24-01-01", "20240230", "20241301", "2024011", "202401011",
        "", " ", "abcd-ef-gh", "2024-0a-01", "2024/01/01", "2024-01-01 ", " 2024-01-01", "2024_01_01",
        "0000-01-01", "00000101", "+024-01-01", "2024-01-01T00:00:00Z", "01/03/2024",
    ])
    func badDatesDoNotParse(text: String) {
        #expect(Day(iso: text) == nil)
    }

    @Test func leapYears() {
        #expect(Day(iso: "2024-02-29") != nil)
        #expect(Day(iso: "2000-02-29") != nil)
        #expect(Day(iso: "1900-02-29") == nil)
        #expect(Day(iso: "2100-02-29") == nil)
        #expect(Day(iso: "2023-02-29") == nil)
        #expect(Day(iso: "2024-02-30") == nil)
        #expect(Day.isLeap(2024) && Day.isLeap(2000) && Day.isLeap(1600))
        #expect(!Day.isLeap(1900) && !Day.isLeap(2023) && !Day.isLeap(2100))
    }

    @Test func componentsValidation() {
        #expect(Day(year: 2024, month: 2, day: 29)?.iso == "2024-02-29")
        #expect(Day(year: 2023, month: 2, day: 29) == nil)
        #expect(Day(year: 0, month: 1, day: 1) == nil)
        #expect(Day(year: 10_000, month: 1, day: 1) == nil)
        #expect(Day(year: 2024, month: 6, day: 31) == nil)
        #expect(Day(year: 1, month: 1, day: 1)?.iso == "0001-01-01")
        #expect(Day(year: 9999, month: 12, day: 31)?.iso == "9999-12-31")
    }

    @Test func isoRoundTrip() throws {
        // Every day from 1899 to 2101, and a few far ones.
        let first = try day("1899-01-01").number, last = try day("2101-12-31").number
        var count = 0
        var mismatches: [Int32] = []
        for number in first...last {
            if Day(iso: Day(number: number).iso)?.number != number { mismatches.append(number) }
            count += 1
        }
        #expect(mismatches.isEmpty)
        #expect(count == 74_144)
        for text in ["0001-01-01", "0400-02-29", "1582-10-10", "9999-12-31"] {
            #expect(try day(text).iso == text)
            #expect(try day(text).description == text)
        }
        let compact = try day("20241231")
        #expect(compact.iso == "2024-12-31")
    }

    @Test func componentsOfADay() throws {
        let c = try day("2024-02-29").components
        #expect(c.year == 2024 && c.month == 2 && c.day == 29)
    }

    @Test(arguments: [
        ("2024-01-31", 1, "2024-02-01"),
        ("2024-02-28", 1, "2024-02-29"),
        ("2024-02-29", 1, "2024-03-01"),
        ("2023-02-28", 1, "2023-03-01"),
        ("2023-12-31", 1, "2024-01-01"),
        ("2024-01-01", -1, "2023-12-31"),
        ("2024-03-01", 28, "2024-03-29"),
        ("2024-03-01", -180, "2023-09-03"),
        ("2024-12-15", 30, "2025-01-14"),
        ("2024-01-01", 366, "2025-01-01"),
        ("2023-01-01", 365, "2024-01-01"),
        ("1969-12-31", 1, "1970-01-01"),
        ("2024-06-03", 0, "2024-06-03"),
    ])
    func addingDays(start: String, days: Int, expected: String) throws {
        #expect(try day(start).adding(days: days).iso == expected)
    }

    @Test func yearsEarlier() throws {
        #expect(try day("2024-02-29").yearsEarlier(1).iso == "2023-02-28")
        #expect(try day("2024-02-29").yearsEarlier(4).iso == "2020-02-29")
        #expect(try day("2024-03-01").yearsEarlier(1).iso == "2023-03-01")
        #expect(try day("2025-02-28").yearsEarlier(1).iso == "2024-02-28")
        #expect(try day("2024-12-31").yearsEarlier(1).iso == "2023-12-31")
        #expect(try day("2024-01-01").yearsEarlier(1).iso == "2023-01-01")
        #expect(try day("2000-02-29").yearsEarlier(100).iso == "1900-02-28")
    }

    @Test func daysSince() throws {
        #expect(try day("2024-03-29").days(since: day("2024-03-01")) == 28)
        #expect(try day("2024-03-01").days(since: day("2024-03-29")) == -28)
        #expect(try day("2024-03-01").days(since: day("2024-03-01")) == 0)
        #expect(try day("2025-01-01").days(since: day("2024-01-01")) == 366)
        #expect(try day("2024-01-01").days(since: day("2023-01-01")) == 365)
        #expect(try day("2024-03-01").days(since: day("2024-02-01")) == 29)
        #expect(try day("2023-03-01").days(since: day("2023-02-01")) == 28)
    }

    @Test func ordering() throws {
        let days = try ["2024-03-01", "2023-12-31", "2024-02-29", "1970-01-01", "1969-12-31"].map(day)
        #expect(days.sorted().map(\.iso) == ["1969-12-31", "1970-01-01", "2023-12-31", "2024-02-29", "2024-03-01"])
        #expect(try day("2024-02-29") < day("2024-03-01"))
    }

    @Test func codableAsISOText() throws {
        let days = try [day("2024-02-29"), day("1969-12-31")]
        let data = try JSONEncoder().encode(days)
        #expect(String(decoding: data, as: UTF8.self) == #"["2024-02-29","1969-12-31"]"#)
        #expect(try JSONDecoder().decode([Day].self, from: data) == days)
        #expect(try JSONDecoder().decode([Day].self, from: Data(#"["20240603"]"#.utf8)) == [day("2024-06-03")])
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode([Day].self, from: Data(#"["2023-02-29"]"#.utf8)) }
    }

    @Test func clockTimestamp() {
        #expect(Clock.fixed(1_767_225_600).timestamp() == "2026-01-01T00:00:00Z")
        #expect(Clock.fixed(0).timestamp() == "1970-01-01T00:00:00Z")
        #expect(Clock.fixed(1_709_251_199).timestamp() == "2024-02-29T23:59:59Z")
        #expect(Clock.fixed(-1).timestamp() == "1969-12-31T23:59:59Z")
    }
}
