using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OpsPipeline.Core.Ports;

namespace OpsPipeline.Functions.Adapters;

/// <summary>The stores are one DynamoDB table: its exceptions are the store failures, its throttling the transient ones.</summary>
public sealed class DynamoFaults : IStoreFaults
{
    public static readonly DynamoFaults Instance = new();

    public bool IsStoreFailure(Exception e) => e is AmazonDynamoDBException;

    public bool IsTransient(Exception e) =>
        e is ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException
        || e is AmazonDynamoDBException { ErrorCode: "ThrottlingException" or "ServiceUnavailable" };

    public string Describe(Exception e) => e is AmazonDynamoDBException d ? $"DynamoDB {d.ErrorCode}" : e.GetType().Name;
}
