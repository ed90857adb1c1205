using System.Text.Json;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Slack;

/// <summary>
/// Block Kit blocks for one Slack message. Callers pass text already escaped for mrkdwn; every limit
/// (header, section, field, block count) is enforced here, in one place.
/// </summary>
internal sealed class SlackBlocks
{
    private const int MaxFieldsPerSection = 10;

    // Each block as its kind and its (already truncated) texts, written in WriteTo: no closure per block.
    private readonly List<(Kind Kind, string[] Texts)> _blocks = new(8);

    private enum Kind
    {
        Header,
        Section,
        Fields,
        Context,
    }

    public int Count => _blocks.Count;

    /// <summary>A header: plain_text with emoji shortcodes, at most 150 characters.</summary>
    public void Header(string escaped) =>
        _blocks.Add((Kind.Header, [Truncation.EscapedToChars(escaped, SlackLimits.HeaderChars)]));

    /// <summary>A section with one mrkdwn text of at most 3,000 characters.</summary>
    public void Section(string escapedMrkdwn) =>
        _blocks.Add((Kind.Section, [Truncation.EscapedToChars(escapedMrkdwn, SlackLimits.SectionChars)]));

    /// <summary>A section of two-column fields: at most 10, each at most 2,000 characters.</summary>
    public void Fields(IReadOnlyList<string> escapedMrkdwn)
    {
        var texts = new string[Math.Min(escapedMrkdwn.Count, MaxFieldsPerSection)];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = Truncation.EscapedToChars(escapedMrkdwn[i], SlackLimits.FieldChars);
        }

        _blocks.Add((Kind.Fields, texts));
    }

    /// <summary>A context block (small grey text) with one mrkdwn element of at most 3,000 characters.</summary>
    public void Context(string escapedMrkdwn) =>
        _blocks.Add((Kind.Context, [Truncation.EscapedToChars(escapedMrkdwn, SlackLimits.SectionChars)]));

    /// <summary>Writes the <c>blocks</c> array; past 50 blocks the last one says how many were left out.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        var kept = _blocks.Count <= SlackLimits.Blocks ? _blocks.Count : SlackLimits.Blocks - 1;
        writer.WriteStartArray("blocks");
        for (var i = 0; i < kept; i++)
        {
            WriteBlock(writer, _blocks[i]);
        }

        if (kept < _blocks.Count)
        {
            var omitted = $"{Truncation.Marker} {_blocks.Count - kept} more blocks not shown";
            WriteBlock(writer, (Kind.Context, [Truncation.EscapedToChars(omitted, SlackLimits.SectionChars)]));
        }

        writer.WriteEndArray();
    }

    private static void WriteBlock(Utf8JsonWriter w, (Kind Kind, string[] Texts) block)
    {
        w.WriteStartObject();
        switch (block.Kind)
        {
            case Kind.Header:
                w.WriteString("type", "header");
                w.WritePropertyName("text");
                w.WriteStartObject();
                w.WriteString("type", "plain_text");
                w.WriteString("text", block.Texts[0]);
                w.WriteBoolean("emoji", true);
                w.WriteEndObject();
                break;
            case Kind.Section:
                w.WriteString("type", "section");
                w.WritePropertyName("text");
                WriteMrkdwn(w, block.Texts[0]);
                break;
            case Kind.Fields:
                w.WriteString("type", "section");
                w.WriteStartArray("fields");
                foreach (var text in block.Texts)
                {
                    WriteMrkdwn(w, text);
                }

                w.WriteEndArray();
                break;
            case Kind.Context:
                w.WriteString("type", "context");
                w.WriteStartArray("elements");
                WriteMrkdwn(w, block.Texts[0]);
                w.WriteEndArray();
                break;
        }

        w.WriteEndObject();
    }

    private static void WriteMrkdwn(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "mrkdwn");
        w.WriteString("text", text);
        w.WriteEndObject();
    }
}
