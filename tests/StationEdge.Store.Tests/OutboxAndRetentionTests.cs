using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class OutboxAndRetentionTests
{
    [Fact]
    public async Task Outbox_IsOldestFirst_CountsAttempts_AndDeletesOnlyAcknowledgedIds()
    {
        await using var test = await TestStore.OpenAsync();
        var first = await test.Store.EnqueueAsync(new OutboxDraft("stations/s1/events", """{"n":1}"""));
        var second = await test.Store.EnqueueAsync(new OutboxDraft("stations/s1/events", """{"n":2}"""));
        var third = await test.Store.EnqueueAsync(new OutboxDraft("stations/s1/events", """{"n":3}"""));
        Assert.Equal([first.Id, second.Id, third.Id], (await test.Store.PeekOutboxAsync()).Select(m => m.Id));

        await test.Store.RecordSendAttemptAsync([first.Id, second.Id]);
        await test.Store.RecordSendAttemptAsync([first.Id]);
        Assert.Equal([2, 1, 0], (await test.Store.PeekOutboxAsync()).Select(m => m.Attempts));

        Assert.Equal(1, await test.Store.AcknowledgeAsync([second.Id, Guid.NewGuid()]));
        Assert.Equal([first.Id, third.Id], (await test.Store.PeekOutboxAsync()).Select(m => m.Id));
        Assert.Equal([first.Id], (await test.Store.PeekOutboxAsync(limit: 1)).Select(m => m.Id));
    }

    [Theory]
    [InlineData("stations/+/visits", "outbox topic 'stations/+/visits' is not a topic to publish to")]
    [InlineData("", "outbox topic is required")]
    public async Task Outbox_RefusesTopicsThatCannotBePublished(string topic, string expected)
    {
        await using var test = await TestStore.OpenAsync();

        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.EnqueueAsync(new OutboxDraft(topic, "{}")));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(await test.Store.PeekOutboxAsync());
    }

    [Fact]
    public async Task Retention_DeletesOldVisits_ButKeepsThoseTheSyncHasNotDelivered_UntilAcknowledged()
    {
        await using var test = await TestStore.OpenAsync(o => o.RetentionDays = 30);
        var oldUnsynced = await test.Store.RecordVisitAsync(TestStore.Unknown());
        var oldPending = await test.Store.RecordVisitAsync(TestStore.Unknown(), v => new OutboxDraft("stations/s1/visits", $$"""{"id":"{{v.Id}}"}"""));
        test.Clock.Advance(TimeSpan.FromDays(29));
        var recent = await test.Store.RecordVisitAsync(TestStore.Unknown());
        test.Clock.Advance(TimeSpan.FromDays(2));

        var first = await test.Store.ApplyRetentionAsync();

        Assert.Equal((1, 1), (first.Deleted, first.KeptUnsynced));
        Assert.Equal(test.Clock.GetUtcNow() - TimeSpan.FromDays(30), first.Cutoff);
        Assert.Equal([recent.Id, oldPending.Id], (await test.Store.ListVisitsAsync()).Select(v => v.Id));
        Assert.DoesNotContain(oldUnsynced.Id, (await test.Store.ListVisitsAsync()).Select(v => v.Id));

        await test.Store.AcknowledgeAsync([Assert.Single(await test.Store.PeekOutboxAsync()).Id]);
        var second = await test.Store.ApplyRetentionAsync();

        Assert.Equal((1, 0), (second.Deleted, second.KeptUnsynced));
        Assert.Equal([recent.Id], (await test.Store.ListVisitsAsync()).Select(v => v.Id));
    }
}
