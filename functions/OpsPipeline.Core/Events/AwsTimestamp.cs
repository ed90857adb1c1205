using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OpsPipeline.Core.Events.Internal;

namespace OpsPipeline.Core.Events;

/// <summary>
/// Timestamps as AWS writes them in events: <c>2019-10-02T17:04:40.989+0000</c> (offset without a colon,
/// which ISO-8601 parsers in "round-trip" mode reject) and also <c>…Z</c> / <c>…+00:00</c>.
/// Parsed exactly: one grammar, no culture, no guessing.
/// </summary>
public static class AwsTimestamp
{
    // Longest accepted text: 2019-10-02T17:04:40.123456789+00:00 plus slack for long fractions.
    private const int MaxLength = 64;

    /// <summary>
    /// <c>yyyy-MM-ddTHH:mm:ss[.fraction](Z|±HH:mm|±HHmm)</c>. Fractions beyond 7 digits (100 ns) are truncated.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out DateTimeOffset value)
    {
        value = default;
        if (utf8.Length < 20 || utf8.Length > MaxLength)
        {
            return false;
        }

        if (!Digits(utf8, 0, 4, out var year) || utf8[4] != '-'
            || !Digits(utf8, 5, 2, out var month) || utf8[7] != '-'
            || !Digits(utf8, 8, 2, out var day) || utf8[10] != 'T'
            || !Digits(utf8, 11, 2, out var hour) || utf8[13] != ':'
            || !Digits(utf8, 14, 2, out var minute) || utf8[16] != ':'
            || !Digits(utf8, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        long fractionTicks = 0;
        if (utf8[i] == '.')
        {
            i++;
            var start = i;
            var scale = TimeSpan.TicksPerSecond;
            while (i < utf8.Length && IsDigit(utf8[i]))
            {
                scale /= 10;
                fractionTicks += (utf8[i] - '0') * scale;
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i >= utf8.Length)
        {
            return false; // an offset is required: a time without one is ambiguous
        }

        TimeSpan offset;
        if (utf8[i] == 'Z' && i == utf8.Length - 1)
        {
            offset = TimeSpan.Zero;
        }
        else if (utf8[i] is (byte)'+' or (byte)'-')
        {
            var sign = utf8[i] == '-' ? -1 : 1;
            var rest = utf8.Length - i - 1;
            int offHours, offMinutes;
            if (rest == 5 && utf8[i + 3] == ':')
            {
                if (!Digits(utf8, i + 1, 2, out offHours) || !Digits(utf8, i + 4, 2, out offMinutes))
                {
                    return false;
                }
            }
            else if (rest == 4)
            {
                if (!Digits(utf8, i + 1, 2, out offHours) || !Digits(utf8, i + 3, 2, out offMinutes))
                {
                    return false;
                }
            }
            else
            {
                return false;
            }

            if (offMinutes > 59 || offHours * 60 + offMinutes > 14 * 60)
            {
                return false;
            }

            offset = new TimeSpan(sign * offHours, sign * offMinutes, 0);
        }
        else
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(local, offset);
        return true;
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{byte}, out DateTimeOffset)"/>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length > MaxLength)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F)
            {
                return false;
            }

            utf8[i] = (byte)text[i];
        }

        return TryParse(utf8, out value);
    }

    /// <inheritdoc cref="TryParse(ReadOnlySpan{byte}, out DateTimeOffset)"/>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        if (text is null)
        {
            value = default;
            return false;
        }

        return TryParse(text.AsSpan(), out value);
    }

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static DateTimeOffset Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a timestamp");

    /// <summary>AWS event style, millisecond precision: <c>2019-10-02T17:04:40.989+0000</c>.</summary>
    public static string Format(DateTimeOffset value)
    {
        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return value.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff", CultureInfo.InvariantCulture)
            + sign + abs.Hours.ToString("00", CultureInfo.InvariantCulture) + abs.Minutes.ToString("00", CultureInfo.InvariantCulture);
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!IsDigit(s[i]))
            {
                return false;
            }

            value = value * 10 + (s[i] - '0');
        }

        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}

/// <summary>
/// Every <see cref="DateTimeOffset"/> in CloudWatch event JSON goes through <see cref="AwsTimestamp"/>;
/// a bad value fails with a message that quotes it, and the parser adds the field path.
/// </summary>
public sealed class AwsTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new FieldProblemException($"expected a timestamp string, got {JsonKinds.Describe(reader.TokenType)}");
        }

        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            if (AwsTimestamp.TryParse(reader.ValueSpan, out var fast))
            {
                return fast;
            }
        }
        else if (AwsTimestamp.TryParse(reader.GetString(), out var slow))
        {
            return slow;
        }

        throw new FieldProblemException($"'{JsonKinds.Quote(reader.GetString())}' is not a timestamp");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(AwsTimestamp.Format(value));
}
