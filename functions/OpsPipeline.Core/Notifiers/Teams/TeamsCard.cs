using System.Text.Json;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Teams;

/// <summary>
/// One Adaptive Card in the message envelope a Workflows webhook takes
/// (<c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":…}]}</c>).
/// Texts added here are already escaped Markdown; fact and button texts are plain.
/// </summary>
internal sealed class TeamsCard
{
    private readonly List<Action<Utf8JsonWriter>> _body = [];
    private readonly List<(string Title, string Url)> _actions = [];

    public TeamsCard Heading(string escaped, string color)
    {
        _body.Add(w => TextBlock(w, escaped, w2 =>
        {
            w2.WriteString("size", "Medium");
            w2.WriteString("weight", "Bolder");
            w2.WriteString("color", color);
        }));
        return this;
    }

    public TeamsCard Text(string escaped, bool subtle = false)
    {
        if (escaped.Length > 0)
        {
            _body.Add(w => TextBlock(w, escaped, subtle ? w2 => w2.WriteBoolean("isSubtle", true) : null));
        }

        return this;
    }

    /// <summary>A FactSet; Teams renders fact values as Markdown too, so they are escaped like texts.</summary>
    public TeamsCard Facts(IEnumerable<(string Title, string EscapedValue)> facts)
    {
        var list = facts.ToList();
        _body.Add(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "FactSet");
            w.WriteStartArray("facts");
            foreach (var (title, value) in list)
            {
                w.WriteStartObject();
                w.WriteString("title", title);
                w.WriteString("value", value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return this;
    }

    /// <summary>An Action.OpenUrl button for a web link (<see cref="UntrustedText.WebUrl"/>); beyond the limits, none.</summary>
    public TeamsCard Link(string title, string webUrl)
    {
        if (_actions.Count < TeamsLimits.Actions && webUrl.Length <= TeamsLimits.UrlChars)
        {
            var plain = Truncation.ToChars(UntrustedText.OneLine(title), TeamsLimits.ActionTitleChars);
            _actions.Add((plain.Length > 0 ? plain : "Open link", webUrl));
        }

        return this;
    }

    public byte[] Write() => PayloadJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "message");
        w.WriteStartArray("attachments");
        w.WriteStartObject();
        w.WriteString("contentType", "application/vnd.microsoft.card.adaptive");
        w.WriteStartObject("content");
        w.WriteString("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        w.WriteString("type", "AdaptiveCard");
        w.WriteString("version", "1.4");
        w.WriteStartObject("msteams");
        w.WriteString("width", "Full");
        w.WriteEndObject();
        w.WriteStartArray("body");
        foreach (var element in _body)
        {
            element(w);
        }

        w.WriteEndArray();
        if (_actions.Count > 0)
        {
            w.WriteStartArray("actions");
            foreach (var (title, url) in _actions)
            {
                w.WriteStartObject();
                w.WriteString("type", "Action.OpenUrl");
                w.WriteString("title", title);
                w.WriteString("url", url);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>The first card, built with each free-text cap in turn, that fits a Teams message.</summary>
    public static byte[] Fit(Func<int, TeamsCard> build)
    {
        byte[] body = [];
        foreach (var cap in TeamsLimits.TextCaps)
        {
            body = build(cap).Write();
            if (body.Length <= TeamsLimits.MessageBytes)
            {
                break;
            }
        }

        return body;
    }

    /// <summary>Untrusted text cleaned, cut to <paramref name="cap"/> characters (before escaping, so no escape is split), then escaped.</summary>
    public static string Escaped(string? untrusted, int cap, bool oneLine = false)
    {
        var clean = oneLine ? UntrustedText.OneLine(untrusted) : UntrustedText.Clean(untrusted);
        return TeamsText.Escape(Truncation.ToChars(clean, cap));
    }

    private static void TextBlock(Utf8JsonWriter w, string text, Action<Utf8JsonWriter>? style)
    {
        w.WriteStartObject();
        w.WriteString("type", "TextBlock");
        w.WriteString("text", text);
        w.WriteBoolean("wrap", true);
        style?.Invoke(w);
        w.WriteEndObject();
    }
}
