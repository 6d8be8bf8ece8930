/// Dates of DTP segments: `D8` (`CCYYMMDD`) and `RD8` (`CCYYMMDD-CCYYMMDD`), as `CCYYMMDD` numbers.
enum X12Date {
    /// The period a DTP02/DTP03 pair gives, first and last day as `CCYYMMDD` numbers.
    ///
    /// The value's shape decides, whatever the qualifier says, as long as it is D8 or RD8: one date
    /// is a one-day period (`RD8` holding a single date is read so), two are a range. Nil for any
    /// other qualifier, a date that does not exist, or a range that ends before it starts.
    static func period(format: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> (first: Int, last: Int)? {
        guard Segment.equals(format, "D8") || Segment.equals(format, "RD8") else { return nil }
        switch value.count {
        case 8:
            guard let day = date(UnsafeBufferPointer(rebasing: value[0..<8])) else { return nil }
            return (day, day)
        case 17:
            guard value[8] == UInt8(ascii: "-"),
                  let first = date(UnsafeBufferPointer(rebasing: value[0..<8])),
                  let last = date(UnsafeBufferPointer(rebasing: value[9..<17])),
                  last >= first else { return nil }
            return (first, last)
        default:
            return nil
        }
    }

    /// `CCYYMMDD` as a number, when it is a real calendar date.
    static func date(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            let digit = byte &- 48
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        let year = value / 10_000, month = value / 100 % 100, day = value % 100
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return value
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
