using System.Text.Json;

namespace OpsPipeline.Core.Events.Internal;

/// <summary>
/// The fast path for CloudWatch alarm events: reads the event straight off a <see cref="Utf8JsonReader"/> into the
/// same records the source-generated bind builds, without the serializer's machinery. It never decides that an
/// event is wrong. Whenever it is not certain it reads exactly what the bind would read (a value of another JSON
/// kind, a duplicated key, a null inside a list or map, bad UTF-8, too deep, trailing text, a source or
/// detail-type that is not a CloudWatch alarm's), it gives up and returns null, and <see cref="EventParser"/> runs
/// the bind, which accepts the event or names the field. Tests hold the two to the same result for every sample,
/// every hostile-corpus file and mutations of both.
/// </summary>
internal static class AlarmEventReader
{
    /// <summary>The event as the bind would have read it, or null when the bind must decide.</summary>
    public static EventBridgeEvent<CloudWatchAlarmDetail>? TryRead(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = EventParser.MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var wire = Envelope(ref reader);
            // Anything after the root object (other than whitespace) makes Read throw: the bind names it.
            return wire is not null && !reader.Read() ? wire : null;
        }
        catch (Unsure)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null; // e.g. a string that is not valid UTF-8
        }
    }

    /// <summary>Thrown to give the event to the bind; never escapes <see cref="TryRead"/>.</summary>
    private sealed class Unsure : Exception;

    private static EventBridgeEvent<CloudWatchAlarmDetail>? Envelope(ref Utf8JsonReader reader)
    {
        string? version = null, id = null, detailType = null, source = null, account = null, region = null, replayName = null;
        DateTimeOffset? time = null;
        IReadOnlyList<string?>? resources = null;
        CloudWatchAlarmDetail? detail = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "version"u8, 1 << 0, ref seen))
            {
                version = String(ref reader);
            }
            else if (Is(ref reader, "id"u8, 1 << 1, ref seen))
            {
                id = String(ref reader);
            }
            else if (Is(ref reader, "detail-type"u8, 1 << 2, ref seen))
            {
                detailType = String(ref reader);
            }
            else if (Is(ref reader, "source"u8, 1 << 3, ref seen))
            {
                source = String(ref reader);
            }
            else if (Is(ref reader, "account"u8, 1 << 4, ref seen))
            {
                account = String(ref reader);
            }
            else if (Is(ref reader, "time"u8, 1 << 5, ref seen))
            {
                time = Timestamp(ref reader);
            }
            else if (Is(ref reader, "region"u8, 1 << 6, ref seen))
            {
                region = String(ref reader);
            }
            else if (Is(ref reader, "resources"u8, 1 << 7, ref seen))
            {
                resources = StringList(ref reader);
            }
            else if (Is(ref reader, "detail"u8, 1 << 8, ref seen))
            {
                // EventBridge writes source and detail-type first: another kind of event is the bind's to read.
                if ((source is not null && source != CloudWatchEventTypes.Source)
                    || (detailType is not null && detailType is not (CloudWatchEventTypes.AlarmStateChange or CloudWatchEventTypes.AlarmContributorStateChange)))
                {
                    return null;
                }

                detail = Detail(ref reader);
            }
            else if (Is(ref reader, "replay-name"u8, 1 << 9, ref seen))
            {
                replayName = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        if (source != CloudWatchEventTypes.Source || detailType is not (CloudWatchEventTypes.AlarmStateChange or CloudWatchEventTypes.AlarmContributorStateChange))
        {
            return null;
        }

        return new EventBridgeEvent<CloudWatchAlarmDetail>
        {
            Version = version,
            Id = id,
            DetailType = detailType,
            Source = source,
            Account = account,
            Time = time,
            Region = region,
            Resources = resources,
            Detail = detail,
            ReplayName = replayName,
        };
    }

    private static CloudWatchAlarmDetail? Detail(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? alarmName = null, alarmTagsStatus = null;
        AlarmState? state = null, previousState = null;
        AlarmConfiguration? configuration = null;
        AlarmContributor? alarmContributor = null, contributor = null;
        IReadOnlyDictionary<string, string>? alarmTags = null;
        MuteDetail? muteDetail = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "alarmName"u8, 1 << 0, ref seen))
            {
                alarmName = String(ref reader);
            }
            else if (Is(ref reader, "state"u8, 1 << 1, ref seen))
            {
                state = State(ref reader);
            }
            else if (Is(ref reader, "previousState"u8, 1 << 2, ref seen))
            {
                previousState = State(ref reader);
            }
            else if (Is(ref reader, "configuration"u8, 1 << 3, ref seen))
            {
                configuration = Configuration(ref reader);
            }
            else if (Is(ref reader, "alarmContributor"u8, 1 << 4, ref seen))
            {
                alarmContributor = Contributor(ref reader);
            }
            else if (Is(ref reader, "contributor"u8, 1 << 5, ref seen))
            {
                contributor = Contributor(ref reader);
            }
            else if (Is(ref reader, "alarmTags"u8, 1 << 6, ref seen))
            {
                alarmTags = StringMap(ref reader);
            }
            else if (Is(ref reader, "alarmTagsStatus"u8, 1 << 7, ref seen))
            {
                alarmTagsStatus = String(ref reader);
            }
            else if (Is(ref reader, "muteDetail"u8, 1 << 8, ref seen))
            {
                muteDetail = Mute(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new CloudWatchAlarmDetail
        {
            AlarmName = alarmName,
            State = state,
            PreviousState = previousState,
            Configuration = configuration,
            AlarmContributor = alarmContributor,
            Contributor = contributor,
            AlarmTags = alarmTags,
            AlarmTagsStatus = alarmTagsStatus,
            MuteDetail = muteDetail,
        };
    }

    private static AlarmState? State(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? value = null, reason = null, suppressedBy = null, suppressedReason = null;
        AlarmReasonData? reasonData = null;
        DateTimeOffset? timestamp = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "value"u8, 1 << 0, ref seen))
            {
                value = String(ref reader);
            }
            else if (Is(ref reader, "reason"u8, 1 << 1, ref seen))
            {
                reason = String(ref reader);
            }
            else if (Is(ref reader, "reasonData"u8, 1 << 2, ref seen))
            {
                // The bind's converter also takes an embedded object; that rare shape is left to it.
                reasonData = String(ref reader) is { } raw ? new AlarmReasonData(raw) : null;
            }
            else if (Is(ref reader, "timestamp"u8, 1 << 3, ref seen))
            {
                timestamp = Timestamp(ref reader);
            }
            else if (Is(ref reader, "actionsSuppressedBy"u8, 1 << 4, ref seen))
            {
                suppressedBy = String(ref reader);
            }
            else if (Is(ref reader, "actionsSuppressedReason"u8, 1 << 5, ref seen))
            {
                suppressedReason = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new AlarmState
        {
            Value = value,
            Reason = reason,
            ReasonData = reasonData,
            Timestamp = timestamp,
            ActionsSuppressedBy = suppressedBy,
            ActionsSuppressedReason = suppressedReason,
        };
    }

    private static AlarmConfiguration? Configuration(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? description = null, thresholdMetricId = null, alarmRule = null, suppressor = null;
        List<AlarmMetric>? metrics = null;
        int? waitPeriod = null, extensionPeriod = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "description"u8, 1 << 0, ref seen))
            {
                description = String(ref reader);
            }
            else if (Is(ref reader, "metrics"u8, 1 << 1, ref seen))
            {
                metrics = Metrics(ref reader);
            }
            else if (Is(ref reader, "thresholdMetricId"u8, 1 << 2, ref seen))
            {
                thresholdMetricId = String(ref reader);
            }
            else if (Is(ref reader, "alarmRule"u8, 1 << 3, ref seen))
            {
                alarmRule = String(ref reader);
            }
            else if (Is(ref reader, "actionsSuppressor"u8, 1 << 4, ref seen))
            {
                suppressor = String(ref reader);
            }
            else if (Is(ref reader, "actionsSuppressorWaitPeriod"u8, 1 << 5, ref seen))
            {
                waitPeriod = Int(ref reader);
            }
            else if (Is(ref reader, "actionsSuppressorExtensionPeriod"u8, 1 << 6, ref seen))
            {
                extensionPeriod = Int(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new AlarmConfiguration
        {
            Description = description,
            Metrics = metrics,
            ThresholdMetricId = thresholdMetricId,
            AlarmRule = alarmRule,
            ActionsSuppressor = suppressor,
            ActionsSuppressorWaitPeriod = waitPeriod,
            ActionsSuppressorExtensionPeriod = extensionPeriod,
        };
    }

    private static List<AlarmMetric>? Metrics(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader))
        {
            return null;
        }

        var metrics = new List<AlarmMetric>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            metrics.Add(Metric(ref reader) ?? throw new Unsure());
        }

        return metrics;
    }

    private static AlarmMetric? Metric(ref Utf8JsonReader reader)
    {
        // Positioned on the value already (an array element).
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new Unsure();
        }

        string? id = null, expression = null, label = null, accountId = null;
        MetricStat? metricStat = null;
        bool? returnData = null;
        int? period = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "id"u8, 1 << 0, ref seen))
            {
                id = String(ref reader);
            }
            else if (Is(ref reader, "expression"u8, 1 << 1, ref seen))
            {
                expression = String(ref reader);
            }
            else if (Is(ref reader, "label"u8, 1 << 2, ref seen))
            {
                label = String(ref reader);
            }
            else if (Is(ref reader, "metricStat"u8, 1 << 3, ref seen))
            {
                metricStat = Stat(ref reader);
            }
            else if (Is(ref reader, "returnData"u8, 1 << 4, ref seen))
            {
                returnData = Bool(ref reader);
            }
            else if (Is(ref reader, "period"u8, 1 << 5, ref seen))
            {
                period = Int(ref reader);
            }
            else if (Is(ref reader, "accountId"u8, 1 << 6, ref seen))
            {
                accountId = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new AlarmMetric
        {
            Id = id,
            Expression = expression,
            Label = label,
            MetricStat = metricStat,
            ReturnData = returnData,
            Period = period,
            AccountId = accountId,
        };
    }

    private static MetricStat? Stat(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        MetricIdentity? metric = null;
        int? period = null;
        string? stat = null, unit = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "metric"u8, 1 << 0, ref seen))
            {
                metric = Identity(ref reader);
            }
            else if (Is(ref reader, "period"u8, 1 << 1, ref seen))
            {
                period = Int(ref reader);
            }
            else if (Is(ref reader, "stat"u8, 1 << 2, ref seen))
            {
                stat = String(ref reader);
            }
            else if (Is(ref reader, "unit"u8, 1 << 3, ref seen))
            {
                unit = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new MetricStat { Metric = metric, Period = period, Stat = stat, Unit = unit };
    }

    private static MetricIdentity? Identity(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? ns = null, name = null;
        IReadOnlyDictionary<string, string>? dimensions = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "namespace"u8, 1 << 0, ref seen))
            {
                ns = String(ref reader);
            }
            else if (Is(ref reader, "name"u8, 1 << 1, ref seen))
            {
                name = String(ref reader);
            }
            else if (Is(ref reader, "dimensions"u8, 1 << 2, ref seen))
            {
                dimensions = StringMap(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new MetricIdentity { Namespace = ns, Name = name, Dimensions = dimensions };
    }

    private static AlarmContributor? Contributor(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? id = null;
        IReadOnlyDictionary<string, string>? attributes = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "id"u8, 1 << 0, ref seen))
            {
                id = String(ref reader);
            }
            else if (Is(ref reader, "attributes"u8, 1 << 1, ref seen))
            {
                attributes = StringMap(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new AlarmContributor { Id = id, Attributes = attributes };
    }

    private static MuteDetail? Mute(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        string? mutedBy = null, start = null, end = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (Is(ref reader, "mutedByArn"u8, 1 << 0, ref seen))
            {
                mutedBy = String(ref reader);
            }
            else if (Is(ref reader, "muteWindowStart"u8, 1 << 1, ref seen))
            {
                start = String(ref reader);
            }
            else if (Is(ref reader, "muteWindowEnd"u8, 1 << 2, ref seen))
            {
                end = String(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }

        return new MuteDetail { MutedByArn = mutedBy, MuteWindowStart = start, MuteWindowEnd = end };
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>True when the current property is <paramref name="name"/>; a second one in the same object is the bind's to reject.</summary>
    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, int bit, ref int seen)
    {
        if (!reader.ValueTextEquals(name))
        {
            return false;
        }

        if ((seen & bit) != 0)
        {
            throw new Unsure();
        }

        seen |= bit;
        return true;
    }

    /// <summary>Reads the property's value: true on an object's start, false on null; any other kind is the bind's.</summary>
    private static bool StartObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.StartObject => true,
            JsonTokenType.Null => false,
            _ => throw new Unsure(),
        };
    }

    private static bool StartArray(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.StartArray => true,
            JsonTokenType.Null => false,
            _ => throw new Unsure(),
        };
    }

    private static string? String(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw new Unsure(),
        };
    }

    private static int? Int(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetInt32(out var value) => value,
            JsonTokenType.Null => null,
            _ => throw new Unsure(),
        };
    }

    private static bool? Bool(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Null => null,
            _ => throw new Unsure(),
        };
    }

    /// <summary>As <see cref="AwsTimestampConverter"/> reads it; a string that is not a timestamp is the bind's to name.</summary>
    private static DateTimeOffset? Timestamp(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String when reader.ValueIsEscaped ? AwsTimestamp.TryParse(reader.GetString(), out var value) : AwsTimestamp.TryParse(reader.ValueSpan, out value):
                return value;
            default:
                throw new Unsure();
        }
    }

    private static List<string?>? StringList(ref Utf8JsonReader reader)
    {
        if (!StartArray(ref reader))
        {
            return null;
        }

        var list = new List<string?>(1);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Null => null,
                _ => throw new Unsure(),
            });
        }

        return list;
    }

    private static Dictionary<string, string>? StringMap(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader))
        {
            return null;
        }

        var map = new Dictionary<string, string>(4);
        while (NextProperty(ref reader))
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String || !map.TryAdd(key, reader.GetString()!))
            {
                throw new Unsure();
            }
        }

        return map;
    }
}
