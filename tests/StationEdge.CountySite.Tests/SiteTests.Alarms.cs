using System.Net;

namespace StationEdge.CountySite.Tests;

/// <summary>The alarms page: the stations' open alarms and offline stations; a county admin acknowledges, a reviewer cannot.</summary>
public sealed partial class SiteTests
{
    [Fact]
    public async Task A_county_admin_acknowledges_an_alarm_a_reviewer_cannot()
    {
        using var reviewer = site.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await CountyFixture.LogInAsync(reviewer, CountyFixture.Reviewer, CountyFixture.ReviewerPassword)).StatusCode);
        var seen = await reviewer.GetStringAsync("/alarms");
        Assert.Contains("data-alarm=\"S1/door_forced\" class=\"open\"", seen, StringComparison.Ordinal);
        Assert.Contains("门被强行打开", seen, StringComparison.Ordinal);
        Assert.Contains("data-alarm=\"S2/offline\"", seen, StringComparison.Ordinal); // never heard from
        Assert.DoesNotContain("action=\"/alarms/ack\"", seen, StringComparison.Ordinal);
        using var tried = await reviewer.PostAsync("/alarms/ack", Ack(CountyFixture.Token(await reviewer.GetStringAsync("/visits")), "S1", "door_forced", "reviewer"));
        Assert.Equal(HttpStatusCode.Forbidden, tried.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM county_alarm_acks WHERE acked_by = 'li'"));

        using var admin = await AdminAsync();
        var page = await admin.GetStringAsync("/alarms");
        Assert.Contains("action=\"/alarms/ack\"", page, StringComparison.Ordinal);
        using var noToken = await admin.PostAsync("/alarms/ack", new FormUrlEncodedContent(new Dictionary<string, string> { ["Station"] = "S1", ["Alarm"] = "door_forced" }));
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        using var notOpen = await admin.PostAsync("/alarms/ack", Ack(CountyFixture.Token(page), "S1", "camera_lost", null));
        Assert.Equal(HttpStatusCode.NotFound, notOpen.StatusCode);

        using var acked = await admin.PostAsync("/alarms/ack", Ack(CountyFixture.Token(page), "S1", "door_forced", "电话问过站长：<风>把门吹开"));
        Assert.Equal(HttpStatusCode.Redirect, acked.StatusCode);
        var after = await admin.GetStringAsync("/alarms");
        var row = after[after.IndexOf("data-alarm=\"S1/door_forced\"", StringComparison.Ordinal)..];
        row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
        Assert.Contains("class=\"acked\"", row, StringComparison.Ordinal);
        Assert.Contains($"{CountyFixture.Admin} 于 ", row, StringComparison.Ordinal);
        Assert.Contains("电话问过站长：&lt;风&gt;把门吹开", row, StringComparison.Ordinal);
        Assert.True(after.IndexOf("S2/offline", StringComparison.Ordinal) < after.IndexOf("S1/door_forced", StringComparison.Ordinal), "unacknowledged first");
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM county_audit WHERE action = 'alarm.ack' AND actor = '{CountyFixture.Admin}' AND target = 'S1/door_forced'"));
    }

    private static FormUrlEncodedContent Ack(string token, string station, string alarm, string? note) => new(new Dictionary<string, string>
    {
        ["__csrf"] = token,
        ["Station"] = station,
        ["Alarm"] = alarm,
        ["Note"] = note ?? "",
    });
}
