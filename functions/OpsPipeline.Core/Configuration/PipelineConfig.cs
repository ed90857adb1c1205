using OpsPipeline.Core.TimeIntervals;

namespace OpsPipeline.Core.Configuration;

/// <summary>The whole pipeline configuration (one YAML file; see README "Configuration").</summary>
public sealed record PipelineConfig
{
    public required Defaults Defaults { get; init; }

    /// <summary>Label rules for alarms, applied in file order; later labels override earlier ones.</summary>
    public IReadOnlyList<AlarmLabelRule> Alarms { get; init; } = [];

    /// <summary>
    /// The alarm tags that may become labels (<c>alarmTags:</c>); a tag not named here sets no label. Empty (the
    /// default): no tag becomes a label, so whoever can tag an alarm cannot route or mute another service's pages.
    /// </summary>
    public IReadOnlyList<string> AlarmTags { get; init; } = [];

    public required IReadOnlyList<ReceiverConfig> Receivers { get; init; }

    public required RouteConfig Route { get; init; }

    public IReadOnlyList<InhibitRule> Inhibit { get; init; } = [];

    /// <summary>Receiver for replayed (drill) events; null means drills deliver nowhere.</summary>
    public string? DrillReceiver { get; init; }

    public IReadOnlyList<SloConfig> Slos { get; init; } = [];

    public DlqConfig? Dlq { get; init; }

    /// <summary>Named time intervals that routes mute or activate by name (Alertmanager's <c>time_intervals</c>).</summary>
    public IReadOnlyList<NamedTimeInterval> TimeIntervals { get; init; } = [];

    /// <summary>What the pipeline starts on its own when a matching alert fires or resolves (<c>reactions:</c>), in file order.</summary>
    public IReadOnlyList<ReactionConfig> Reactions { get; init; } = [];

    public ReceiverConfig? FindReceiver(string name) => Receivers.FirstOrDefault(r => r.Name == name);

    /// <summary>
    /// The SLO's team receiver, told what each of its incidents cost: its <c>receiver</c>, else the first of its burn
    /// alerts' receivers, that does not keep incidents (a PagerDuty resolve carries no text). None if all page.
    /// </summary>
    public string? TeamReceiverOf(SloConfig slo) =>
        new[] { slo.Receiver }.Concat(slo.BurnAlerts.Select(a => a.Receiver))
            .FirstOrDefault(r => r is not null && FindReceiver(r) is { KeepsIncidents: false });

    /// <summary>The SLO an alarm's pages fold into (the first that lists it), if any.</summary>
    public SloConfig? SloOf(string alarmName) => Slos.FirstOrDefault(s => s.Alarms.Contains(alarmName, StringComparer.Ordinal));
}

/// <summary>Defaults every route inherits.</summary>
public sealed record Defaults
{
    public TimeSpan GroupWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an already-notified group waits before it sends again (what joined or resolved meanwhile goes out together).</summary>
    public TimeSpan GroupInterval { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan RepeatInterval { get; init; } = TimeSpan.FromHours(4);

    public FlappingConfig Flapping { get; init; } = new();

    public bool SendResolved { get; init; } = true;

    /// <summary>The page-flood caps, per alert and per receiver.</summary>
    public FloodGuardConfig FloodGuard { get; init; } = new();

    /// <summary>How far ahead of the pipeline's clock an input time may be before the event is rejected.</summary>
    public TimeSpan ClockSkew { get; init; } = Events.EventPlausibility.DefaultClockSkew;
}

/// <summary>This many state changes within the window mark an alert flapping.</summary>
public sealed record FlappingConfig
{
    public int Changes { get; init; } = 4;

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>Labels added to every alarm whose built-in labels satisfy <see cref="Match"/>.</summary>
public sealed record AlarmLabelRule(LabelMatchers Match, IReadOnlyDictionary<string, string> Labels);

/// <summary>A named destination on exactly one channel.</summary>
public sealed record ReceiverConfig
{
    public required string Name { get; init; }

    /// <summary>The channel's block as its notifier read it; null only for a receiver built without one.</summary>
    public ReceiverSettings? Settings { get; init; }

    /// <summary>The channel's name (slack | pagerduty | sns | webhook | …, see <see cref="ChannelCatalog"/>); empty without settings.</summary>
    public string Channel => Settings?.Channel ?? string.Empty;

    /// <summary>Whether its channel keeps one incident per alert (PagerDuty): a group goes out as one event per alert, and a notice updates an incident, never reopens it.</summary>
    public bool KeepsIncidents => ChannelCatalog.Find(Channel)?.OneEventPerAlert == true;
}

/// <summary>A node of the routing tree. Unset values inherit from the parent (root: from defaults).</summary>
public sealed record RouteConfig
{
    public string? Receiver { get; init; }

    public LabelMatchers Match { get; init; } = LabelMatchers.Empty;

    public IReadOnlyList<string>? GroupBy { get; init; }

    public TimeSpan? GroupWait { get; init; }

    public TimeSpan? GroupInterval { get; init; }

    public TimeSpan? RepeatInterval { get; init; }

    public bool Continue { get; init; }

    /// <summary>Names of time intervals in which this route does not notify; not inherited by child routes (as in Alertmanager).</summary>
    public IReadOnlyList<string> MuteTimeIntervals { get; init; } = [];

    /// <summary>Names of time intervals outside all of which this route does not notify (empty: always active); not inherited.</summary>
    public IReadOnlyList<string> ActiveTimeIntervals { get; init; } = [];

    public IReadOnlyList<RouteConfig> Routes { get; init; } = [];
}

/// <summary>While a source alert fires, matching targets with equal labels are suppressed.</summary>
public sealed record InhibitRule(LabelMatchers SourceMatch, LabelMatchers TargetMatch, IReadOnlyList<string> Equal);

/// <summary>A period-based SLO: time any of <see cref="Alarms"/> is in ALARM is bad time.</summary>
public sealed record SloConfig
{
    public required string Name { get; init; }

    /// <summary>Percent of good time, e.g. 99.9.</summary>
    public required double Objective { get; init; }

    public required TimeSpan Window { get; init; }

    public required IReadOnlyList<string> Alarms { get; init; }

    /// <summary>Optional receiver for this SLO's burn alerts that name none (and for the default burn alerts).</summary>
    public string? Receiver { get; init; }

    public IReadOnlyList<BurnAlertConfig> BurnAlerts { get; init; } = [];
}

/// <summary>Multi-window burn-rate alert: both windows at or above <see cref="BurnRate"/> fire it.</summary>
public sealed record BurnAlertConfig(TimeSpan Long, TimeSpan Short, double BurnRate, string Receiver);

/// <summary>How DLQ arrivals are grouped into alerts.</summary>
public sealed record DlqConfig(IReadOnlyList<string> GroupBy, string Receiver);
