using OpsPipeline.Core.Events;

namespace OpsPipeline.Core.Tests.Events;

public sealed class AwsTimestampTests
{
    [Theory]
    [InlineData("2019-10-02T17:04:40.989+0000", 2019, 10, 2, 17, 4, 40, 9_890_000, 0)]
    [InlineData("2019-10-02T17:04:40Z", 2019, 10, 2, 17, 4, 40, 0, 0)]
    [InlineData("2019-10-02T17:04:40.9+00:00", 2019, 10, 2, 17, 4, 40, 9_000_000, 0)]
    [InlineData("2019-10-02T19:04:40.1234567+0200", 2019, 10, 2, 19, 4, 40, 1_234_567, 120)]
    [InlineData("2019-10-02T19:04:40.123456789+02:00", 2019, 10, 2, 19, 4, 40, 1_234_567, 120)]
    [InlineData("2019-10-02T12:34:40.000-0430", 2019, 10, 2, 12, 34, 40, 0, -270)]
    [InlineData("2024-02-29T00:00:00Z", 2024, 2, 29, 0, 0, 0, 0, 0)]
    public void TryParse_WhenAwsOrIsoTimestamp_ShouldReadItExactly(string text, int y, int mo, int d, int h, int mi, int s, long fractionTicks, int offsetMinutes)
    {
        var expected = new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.FromMinutes(offsetMinutes)).AddTicks(fractionTicks);

        Assert.True(AwsTimestamp.TryParse(text, out var value));
        Assert.Equal(expected, value);
        Assert.Equal(expected.Offset, value.Offset);
    }

    [Theory]
    [InlineData("2019-13-45")]
    [InlineData("2019-10-02T17:04:40")]
    [InlineData("2019-10-02 17:04:40Z")]
    [InlineData("2019-10-02T17:04:40.Z")]
    [InlineData("2019-10-02T17:04:40+000")]
    [InlineData("2019-10-02T17:04:40+00:0")]
    [InlineData("2019-10-02T17:04:40+1500")]
    [InlineData("2019-10-02T17:04:40+0060")]
    [InlineData("2019-10-02T24:00:00Z")]
    [InlineData("2019-10-02T17:60:00Z")]
    [InlineData("2019-10-02T17:04:60Z")]
    [InlineData("2023-02-29T00:00:00Z")]
    [InlineData("2019-10-02T17:04:40Zjunk")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("２０１９-10-02T17:04:40Z")]
    [InlineData("")]
    public void TryParse_WhenNotExactlyATimestamp_ShouldRefuse(string text)
    {
        Assert.False(AwsTimestamp.TryParse(text, out _));
    }

    [Fact]
    public void Format_WhenParsedBack_ShouldGiveTheSameInstantInAwsStyle()
    {
        var value = new DateTimeOffset(2026, 3, 10, 9, 16, 40, 482, TimeSpan.FromMinutes(-90));

        var text = AwsTimestamp.Format(value);

        Assert.Equal("2026-03-10T09:16:40.482-0130", text);
        Assert.Equal(value, AwsTimestamp.Parse(text));
    }
}
