using System.Text.Json;

namespace OpsPipeline.Core.Rendering;

/// <summary>
/// Block Kit blocks for one Slack message. Callers pass text already escaped for mrkdwn; every limit
/// (header, section, field, block count) is enforced here, in one place.
/// </summary>
internal sealed class SlackBlocks
{
    private const int MaxFieldsPerSection = 10;

    private readonly List<Action<Utf8JsonWriter>> _blocks = [];

    public int Count => _blocks.Count;

    /// <summary>A header: plain_text with emoji shortcodes, at most 150 characters.</summary>
    public void Header(string escaped)
    {
        var text = Truncation.EscapedToChars(escaped, ChannelLimits.SlackHeaderChars);
        _blocks.Add(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "header");
            w.WritePropertyName("text");
            w.WriteStartObject();
            w.WriteString("type", "plain_text");
            w.WriteString("text", text);
            w.WriteBoolean("emoji", true);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>A section with one mrkdwn text of at most 3,000 characters.</summary>
    public void Section(string escapedMrkdwn)
    {
        var text = Truncation.EscapedToChars(escapedMrkdwn, ChannelLimits.SlackSectionChars);
        _blocks.Add(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "section");
            w.WritePropertyName("text");
            WriteMrkdwn(w, text);
            w.WriteEndObject();
        });
    }

    /// <summary>A section of two-column fields: at most 10, each at most 2,000 characters.</summary>
    public void Fields(IReadOnlyList<string> escapedMrkdwn)
    {
        var texts = escapedMrkdwn.Take(MaxFieldsPerSection)
            .Select(t => Truncation.EscapedToChars(t, ChannelLimits.SlackFieldChars))
            .ToList();
        _blocks.Add(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "section");
            w.WriteStartArray("fields");
            foreach (var text in texts)
            {
                WriteMrkdwn(w, text);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>A context block (small grey text) with one mrkdwn element of at most 3,000 characters.</summary>
    public void Context(string escapedMrkdwn)
    {
        var text = Truncation.EscapedToChars(escapedMrkdwn, ChannelLimits.SlackSectionChars);
        _blocks.Add(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "context");
            w.WriteStartArray("elements");
            WriteMrkdwn(w, text);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>Writes the <c>blocks</c> array; past 50 blocks the last one says how many were left out.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        var kept = _blocks.Count <= ChannelLimits.SlackBlocks ? _blocks.Count : ChannelLimits.SlackBlocks - 1;
        writer.WriteStartArray("blocks");
        foreach (var block in _blocks.Take(kept))
        {
            block(writer);
        }

        if (kept < _blocks.Count)
        {
            var omitted = new SlackBlocks();
            omitted.Context($"{Truncation.Marker} {_blocks.Count - kept} more blocks not shown");
            omitted._blocks[0](writer);
        }

        writer.WriteEndArray();
    }

    private static void WriteMrkdwn(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", text);
        w.WriteEndObject();
    }
}
