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
    private const double EventBridgePerEvent = 1.0 / 1_000_000;             // custom/cross-bus events
    private const double SnsPerPublish = 0.50 / 1_000_000;

    // Assumptions (not measured here): billed duration and sizes.
    private const double LambdaGb = 1.0;                                    // 1024 MB, as in template.yaml
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
        var lambda = (lambdaPerEvent * LambdaPerRequest) + (((1 * DecideBilledSeconds) + (deliverPerEvent * DeliverBilledSeconds)) * LambdaGb * LambdaArmPerGbSecond);
        var dynamo = (writeUnitsPerEvent * DynamoPerWriteUnit) + (readUnitsPerEvent * DynamoPerReadUnit);
        var bus = EventBridgePerEvent; // default bus -> ops bus (AWS service events on the default bus are free)
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
        text.AppendLine(CultureInfo.InvariantCulture, $"  assumed (not measured): Lambda 1024 MB arm64, Decide {DecideBilledSeconds * 1000:0} ms, Deliver {DeliverBilledSeconds * 1000:0} ms billed; Express execution {ExpressExecutionSeconds * 1000:0} ms at 64 MB; naive = one Lambda ({NaiveBilledSeconds * 1000:0} ms) reading then writing a {NaiveItemWriteUnits:0} WRU item and publishing to SNS");
        return text.ToString();
    }
}
