using OpsPipeline.Core.Configuration;
using OpsPipeline.Core.Notifiers.PagerDuty;

// In the root namespace so the decision core's grouping (AlertTicker, which asks for PagerDuty by name) still
// compiles unchanged; once it asks Notifier.OneEventPerAlert, this file can go.
namespace OpsPipeline.Core;

/// <summary>The receiver's PagerDuty settings, or null for a receiver on another channel.</summary>
public static class ReceiverConfigPagerDuty
{
    extension(ReceiverConfig receiver)
    {
        /// <summary>The receiver's PagerDuty settings, or null for a receiver on another channel.</summary>
        public PagerDutyReceiver? PagerDuty => receiver.Settings as PagerDutyReceiver;
    }
}
