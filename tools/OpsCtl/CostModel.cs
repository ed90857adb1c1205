using System.Globalization;
using System.Text;

namespace OpsCtl;

/// <summary>
/// Dollars per million alarm events from counts measured by `opsctl storm` and public us-east-1 prices. Prices are
/// stated with the date they were read; billed durations and item sizes are assumptions, named and printed.
/// </summary>
public static class CostModel
{
    public const string PricesAsOf = "us-east-1 list prices: Step Functions checked against the public pricing page on 2026-11-24; Lambda, DynamoDB on-demand (after the Nov 2024 cut), EventBridge and SNS as published in 2025, not re-checked here";

    // Prices (USD).
    private const double StandardPerTransition = 25.0 / 1_000_000;          // Step Functions Standard
    private const double ExpressPerRequest = 1.0 / 1_000_000;               // Step Functions Express
    private const double ExpressPerGbSecond = 0.00001667;                   // 64 MB chunks, 100 ms rounding
    private const double LambdaPerRequest = 0.20 / 1_000_000;
    private const double LambdaArmPerGbSecond = 0.0000133334;               // arm64
    private const double DynamoPerWriteUnit = 0.625 / 1_000_000;            // on-demand WRU (1 KB)
    private const double DynamoPerReadUnit = 0.125 / 1_000_000;             // on-demand RRU (4 KB, consistent)
    private const double SnsPerPublish = 0.50 / 1_000_000;

    // Assumptions (not measured here): billed duration and sizes.
    private const double LambdaGb = 1.0;                                    // the naive design's one function: 1024 MB arm64
    private const double PipelineLambdaGb = 0.5;                            // template.yaml, AOT build: Decide and Deliver at 512 MB, x86_64
    private const double DecideBilledSeconds = 0.020;                       // warm: one read + one write
    private const double DeliverBilledSeconds = 0.150;                      // warm: one HTTPS call
    private const double ExpressExecutionSeconds = 0.3;                     // rounded up to 100 ms steps
    private const double ExpressGb = 0.0625;                                // one 64 MB chunk
    private const double NaiveItemWriteUnits = 1;                          // the naive design keeps one small item per alarm
    private const double NaiveBilledSeconds = 0.050;

    /// <summary>The table: EXPRESS, STANDARD and the naive one-Lambda design, per million alarm events.</summary>
    /// <param name="dynamoPerEvent">DynamoDB requests per event.</param>
    /// <param name="readUnitsPerEvent">Read capacity units per event, as the stack reported them.</param>
    /// <param name="writeUnitsPerEvent">Write capacity units per event (table and index), as the stack reported them.</param>
    /// <param name="lambdaPerEvent">Lambda invocations per event.</param>
    /// <param name="deliverPerEvent">Of those, Deliver invocations per event.</param>
    /// <param name="transitionsPerEvent">State transitions per event.</param>
    public static string Table(double dynamoPerEvent, double readUnitsPerEvent, double writeUnitsPerEvent, double lambdaPerEvent, double deliverPerEvent, double transitionsPerEvent)
    {
        var lambda = (lambdaPerEvent * LambdaPerRequest) + (((1 * DecideBilledSeconds) + (deliverPerEvent * DeliverBilledSeconds)) * PipelineLambdaGb * LambdaX86PerGbSecond);
        var dynamo = (writeUnitsPerEvent * DynamoPerWriteUnit) + (readUnitsPerEvent * DynamoPerReadUnit);
        // The pipeline's rule sits on the default bus, where AWS service events (alarm state changes) are not billed;
        // the default -> ops bus forward that billed each as a custom event ($1.00 per million) is gone.
        const double bus = 0;
        var express = ExpressPerRequest + (Math.Ceiling(ExpressExecutionSeconds * 10) / 10 * ExpressGb * ExpressPerGbSecond);
        var standard = transitionsPerEvent * StandardPerTransition;
        var naive = LambdaPerRequest + (NaiveBilledSeconds * LambdaGb * LambdaArmPerGbSecond) + (NaiveItemWriteUnits * DynamoPerWriteUnit) + DynamoPerReadUnit + SnsPerPublish;

        double M(double perEvent) => perEvent * 1_000_000;
        var expressTotal = express + lambda + dynamo + bus;
        var standardTotal = standard + lambda + dynamo + bus;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"cost per million alarm events (measured per event: {dynamoPerEvent:0.00} DynamoDB requests = {readUnitsPerEvent:0.00} read + {writeUnitsPerEvent:0.00} write units, {lambdaPerEvent:0.00} Lambda invocations, {transitionsPerEvent:0.00} transitions)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"",-28} {"EXPRESS",10} {"STANDARD",10} {"naive",10}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"Step Functions",-28} {M(express),10:0.00} {M(standard),10:0.00} {0,10:0.00}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"Lambda",-28} {M(lambda),10:0.00} {M(lambda),10:0.00} {M(LambdaPerRequest + (NaiveBilledSeconds * LambdaGb * LambdaArmPerGbSecond)),10:0.00}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"DynamoDB",-28} {M(dynamo),10:0.00} {M(dynamo),10:0.00} {M((NaiveItemWriteUnits * DynamoPerWriteUnit) + DynamoPerReadUnit),10:0.00}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"EventBridge / SNS",-28} {M(bus),10:0.00} {M(bus),10:0.00} {M(SnsPerPublish),10:0.00}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"total $",-28} {M(expressTotal),10:0.00} {M(standardTotal),10:0.00} {M(naive),10:0.00}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  ratio to naive: EXPRESS {expressTotal / naive:0.00}x, STANDARD {standardTotal / naive:0.00}x");
        text.AppendLine(CultureInfo.InvariantCulture, $"  prices: {PricesAsOf}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  assumed (not measured): Lambda 512 MB x86_64 (the AOT build), Decide {DecideBilledSeconds * 1000:0} ms, Deliver {DeliverBilledSeconds * 1000:0} ms billed; Express execution {ExpressExecutionSeconds * 1000:0} ms at 64 MB; naive = one Lambda ({NaiveBilledSeconds * 1000:0} ms) reading then writing a {NaiveItemWriteUnits:0} WRU item and publishing to SNS");
        return text.ToString();
    }

    // Idle: what a quiet tick costs besides its counted requests.
    private const double TickBilledSeconds = 0.010;                         // a quiet tick: a few Queries, nothing to write
    private const double TickGb = 0.25;                                     // template.yaml: the AOT Tick at 256 MB
    private const double LambdaX86PerGbSecond = 0.0000166667;               // x86_64 (the AOT build's architecture)
    private const double SchedulerPerInvocation = 1.0 / 1_000_000;          // EventBridge Scheduler (14 M a month free)
    private const double LogsPerGb = 0.50;                                  // CloudWatch Logs ingestion
    private const double LambdaReportBytes = 300;                           // START, END and REPORT lines per invocation
    private const double AlarmPerMonth = 0.10;                              // standard-resolution metric alarm
    private const double DashboardPerMonth = 3.00;                          // beyond the account's first 3
    private const double KmsKeyPerMonth = 1.00;                             // customer managed key

    public static string IdleAssumptions =>
        string.Create(CultureInfo.InvariantCulture, $"a quiet tick billed {TickBilledSeconds * 1000:0} ms at {TickGb * 1024:0} MB x86_64 (the AOT build); {LambdaReportBytes:0} bytes of Lambda log lines per invocation; the Tick function traced only when its caller is (the tick machine is not), so no X-Ray traces; free tiers not deducted");

    /// <summary>A quiet month, line by line, for the tick on EXPRESS and on STANDARD.</summary>
    public sealed record IdleMonthCost(IReadOnlyList<(string Name, double Express, double Standard)> Lines)
    {
        public double Express => Lines.Sum(l => l.Express);

        public double Standard => Lines.Sum(l => l.Standard);
    }

    public static IdleMonthCost IdleMonth(double transitionsPerTick, double lambdaPerTick, double readUnitsPerTick, double writeUnitsPerTick, double executionMilliseconds, int ticks)
    {
        // EXPRESS bills each execution's duration in 100 ms steps of 64 MB.
        var expressSeconds = Math.Max(1, Math.Ceiling(executionMilliseconds / 100)) / 10;
        var express = ticks * (ExpressPerRequest + (expressSeconds * ExpressGb * ExpressPerGbSecond));
        var standard = ticks * transitionsPerTick * StandardPerTransition;
        var lambda = ticks * lambdaPerTick * (LambdaPerRequest + (TickBilledSeconds * TickGb * LambdaX86PerGbSecond));
        var dynamo = ticks * ((readUnitsPerTick * DynamoPerReadUnit) + (writeUnitsPerTick * DynamoPerWriteUnit));
        var scheduler = ticks * SchedulerPerInvocation;
        var logs = ticks * lambdaPerTick * LambdaReportBytes / 1e9 * LogsPerGb;
        return new IdleMonthCost(
        [
            ("Step Functions", express, standard),
            ("Lambda", lambda, lambda),
            ("DynamoDB", dynamo, dynamo),
            ("EventBridge Scheduler", scheduler, scheduler),
            ("CloudWatch Logs", logs, logs),
        ]);
    }

    /// <summary>The items billed by the month whatever the traffic, by resource type counted in the template.</summary>
    public static IEnumerable<string> FixedMonth(IReadOnlyDictionary<string, int> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var alarms = counts.GetValueOrDefault("AWS::CloudWatch::Alarm");
        var dashboards = counts.GetValueOrDefault("AWS::CloudWatch::Dashboard");
        var keys = counts.GetValueOrDefault("AWS::KMS::Key");
        yield return string.Create(CultureInfo.InvariantCulture, $"{alarms} CloudWatch alarms x ${AlarmPerMonth:0.00} = ${alarms * AlarmPerMonth:0.00} (the pipeline's own health: failed deliveries, parked events, DLQs, executions, throttles, errors, budget; not optional: they page when the pipeline itself fails)");
        yield return string.Create(CultureInfo.InvariantCulture, $"{dashboards} dashboard x ${DashboardPerMonth:0.00} = ${dashboards * DashboardPerMonth:0.00} (free within the account's first 3 dashboards; optional: Dashboard=false)");
        yield return string.Create(CultureInfo.InvariantCulture, $"{keys} KMS key x ${KmsKeyPerMonth:0.00} = ${keys * KmsKeyPerMonth:0.00} (encrypts the alarm topic; AlarmTopicKeyArn=a key you have instead)");
    }
}
