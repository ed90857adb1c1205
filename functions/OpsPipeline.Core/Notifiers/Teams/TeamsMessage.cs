using OpsPipeline.Core.Alerts;
using OpsPipeline.Core.Decisions;
using OpsPipeline.Core.Rendering;

namespace OpsPipeline.Core.Notifiers.Teams;

/// <summary>The Adaptive Cards for one alert, a group of alerts, and the pipeline's own notices.</summary>
internal static class TeamsMessage
{
    public static byte[] Alert(Alert alert, string action, AlertPresentation presentation, bool drill) => TeamsCard.Fit(cap =>
    {
        var card = new TeamsCard();
        if (drill)
        {
            card.Text(DrillNotice(alert.ReplayName), subtle: true);
        }

        var name = TeamsCard.Escaped(alert.Name, cap, oneLine: true);
        card.Heading($"{DrillTag(drill)}{presentation.Headline}: {name}", ColorOf(action));
        card.Text(TeamsCard.Escaped(alert.Summary, cap));
        card.Text(TeamsCard.Escaped(alert.Description, cap));
        card.Facts(
        [
            ("Severity", TeamsCard.Escaped(alert.Severity, cap, oneLine: true)),
            ("State", TeamsText.Escape(Truncation.ToChars(AlertPresentation.StateText(alert), cap))),
            ("Account / Region", $"{TeamsCard.Escaped(alert.Account, cap, oneLine: true)} / {TeamsCard.Escaped(alert.Region, cap, oneLine: true)}"),
            ("Alarm", name),
        ]);
        var reason = TeamsCard.Escaped(alert.Reason, cap);
        card.Text(reason.Length > 0 ? "Reason: " + reason : string.Empty, subtle: true);
        foreach (var link in alert.Links)
        {
            if (UntrustedText.WebUrl(link.Href) is { } url)
            {
                card.Link(link.Text, url);
            }
        }

        return card;
    });

    public static byte[] Digest(AlertDigest digest, bool drill) => TeamsCard.Fit(cap =>
    {
        var card = new TeamsCard();
        if (drill)
        {
            card.Text(DrillNotice(digest.ReplayName), subtle: true);
        }

        var group = digest.GroupText;
        var color = digest.Firing > 0 ? "Attention" : digest.Resolved == digest.Count ? "Good" : "Warning";
        card.Heading(DrillTag(drill) + TeamsText.Escape(digest.Tag + (group.Length > 0 ? " " + UntrustedText.OneLine(group) : string.Empty)), color);
        card.Text(TeamsText.Escape(digest.CountText));
        foreach (var part in AlertDigest.PartsInOrder.Where(p => digest.CountOf(p) > 0))
        {
            card.Text($"**{TeamsText.Escape(digest.PartTitle(part))}**");
            foreach (var entry in digest.ListedIn(part))
            {
                var name = TeamsCard.Escaped(entry.Name, cap, oneLine: true);
                var shown = entry.Link is { } href && UntrustedText.WebUrl(href) is { } url ? $"[{name}]({TeamsText.LinkTarget(url)})" : name;
                var summary = TeamsCard.Escaped(entry.Summary, cap, oneLine: true);
                var line = $"**{TeamsCard.Escaped(entry.Severity, cap, oneLine: true)}** {shown} ({TeamsCard.Escaped(entry.State, cap, oneLine: true)})";
                card.Text(summary.Length > 0 ? $"{line}: {summary}" : line);
            }

            if (part == DigestPart.StillFiring && digest.Others.Named.Count > 0)
            {
                // The rest of the group by name, as its record keeps them (at most 20; the card's fit caps each).
                card.Text(digest.OthersText(n => TeamsCard.Escaped(n, cap, oneLine: true), TeamsLimits.MessageBytes));
            }
            else
            {
                card.Text(TeamsText.Escape(digest.MoreIn(part)), subtle: true);
            }
        }

        return card;
    });

    /// <summary>A budget or flood-guard notice: a heading and the notice's one sentence.</summary>
    public static byte[] Notice(string heading, string color, string text) => TeamsCard.Fit(cap =>
        new TeamsCard().Heading(heading, color).Text(TeamsCard.Escaped(text, cap)));

    private static string DrillTag(bool drill) => drill ? "[DRILL] " : string.Empty;

    /// <summary>The first block of every drill card, so nobody mistakes a rehearsal for an incident.</summary>
    private static string DrillNotice(string? replayName)
    {
        var replay = UntrustedText.OneLine(replayName);
        var from = replay.Length > 0 ? $" (replay {TeamsText.Escape(replay)})" : string.Empty;
        return $"**DRILL**{from}: a rehearsal, not a live incident. No action needed.";
    }

    private static string ColorOf(string action) => action switch
    {
        DeliveryActions.Resolve => "Good",
        DeliveryActions.Trigger or DeliveryActions.Dlq => "Attention",
        _ => "Warning",
    };
}
