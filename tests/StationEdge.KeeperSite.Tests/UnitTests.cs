using System.Reflection;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Station;
using StationEdge.KeeperSite.Text;
using StationEdge.Vision.Imaging;

namespace StationEdge.KeeperSite.Tests;

public sealed class UnitTests
{
    [Fact]
    public void EveryPhrase_HasBothLanguages_WithTheSamePlaceholders()
    {
        var phrases = typeof(Texts).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (f.Name, Phrase: (Phrase)f.GetValue(null)!))
            .Concat(Codes.All.Select(p => (Name: "code", Phrase: p))).ToList();
        Assert.True(phrases.Count > 150);
        foreach (var (name, phrase) in phrases.Where(p => p.Phrase != Texts.OtherLanguage))
        {
            Assert.False(string.IsNullOrWhiteSpace(phrase.Zh), name);
            Assert.False(string.IsNullOrWhiteSpace(phrase.En), name);
            Assert.True(phrase.Zh.Any(IsChinese), $"{name}: '{phrase.Zh}' has no Chinese");
            Assert.False(phrase.En.Where(c => c != '“' && c != '”').Any(IsChinese) && !phrase.En.Contains("NAME", StringComparison.Ordinal), $"{name}: '{phrase.En}' is not English");
            for (var i = 0; i < 4; i++)
            {
                Assert.True(phrase.Zh.Contains($"{{{i}}}", StringComparison.Ordinal) == phrase.En.Contains($"{{{i}}}", StringComparison.Ordinal), $"{name}: placeholder {i}");
            }
        }

        static bool IsChinese(char c) => c is >= '\u4e00' and <= '\u9fff';
    }

    [Fact]
    public async Task JpegEncoder_AGradient_DecodesByFfmpegToTheSamePicture()
    {
        const int width = 100, height = 75;
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                (rgb[i], rgb[i + 1], rgb[i + 2]) = ((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)(((x + y) * 2) % 256 / 2 + 60));
            }
        }

        var jpeg = JpegEncoder.Encode(rgb, width, height, 90);
        var decoded = await new PhotoDecoder().DecodeAsync(jpeg, "preview.jpg", CancellationToken.None);

        using var image = decoded.Image;
        Assert.Equal((width, height), (image.Width, image.Height));
        var error = image.Pixels.ToArray().Zip(rgb, (a, b) => Math.Abs(a - b)).Average();
        Assert.True(error < 4, $"mean error {error:0.00} levels");
    }

    [Fact]
    public void KeeperAccounts_FirstIsAdministrator_PasswordsHashed_FileOwnerOnly_NewPasswordChangesTheStamp()
    {
        using var data = new TempFolder("keepers-");
        var accounts = new KeeperAccounts(data.Path);

        var first = accounts.Add("李明", "first-password", KeeperRole.Keeper);
        var second = accounts.Add("王芳", "second-password", KeeperRole.Keeper);

        Assert.Equal(KeeperRole.Admin, first.Role);
        Assert.Equal(KeeperRole.Keeper, second.Role);
        Assert.DoesNotContain("first-password", File.ReadAllText(accounts.Path), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(accounts.Path));
        Assert.NotNull(accounts.Check("李明", "first-password"));
        Assert.Null(accounts.Check("李明", "second-password"));
        Assert.Null(accounts.Check("nobody", "first-password"));
        Assert.NotEqual(first.Stamp, accounts.SetPassword("李明", "another-password").Stamp);
        Assert.Throws<KeeperAccountException>(() => accounts.Add("王芳", "whatever-password", KeeperRole.Keeper));
        Assert.Throws<KeeperAccountException>(() => accounts.Add("赵六", "short", KeeperRole.Keeper));
        Assert.Throws<KeeperAccountException>(() => accounts.Remove("李明"));
        accounts.Remove("王芳");
        Assert.Single(new KeeperAccounts(data.Path).List());
    }

    [Fact]
    public void LoginGuard_AFullTable_EvictsTheOldest_NeverARunningLockOut()
    {
        var clock = new StepClock();
        var guard = new LoginGuard(attempts: 3, TimeSpan.FromMinutes(10), clock, maxTracked: 100);
        for (var i = 0; i < 3; i++)
        {
            guard.Failed("192.168.1.9", "李明");
        }

        Assert.NotNull(guard.LockedFor("192.168.1.9", "李明"));
        // An attacker fills the table many times over with new names, each failure a second later.
        for (var i = 0; i < 1_000; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(0.5));
            guard.Failed("192.168.1.66", $"name-{i}");
        }

        Assert.NotNull(guard.LockedFor("192.168.1.9", "李明"));
        // The oldest of the attacker's own went to make room; the newest are still counted.
        guard.Failed("192.168.1.66", "name-999");
        guard.Failed("192.168.1.66", "name-999");
        Assert.NotNull(guard.LockedFor("192.168.1.66", "name-999"));

        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Null(guard.LockedFor("192.168.1.9", "李明"));
    }

    private sealed class StepClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
