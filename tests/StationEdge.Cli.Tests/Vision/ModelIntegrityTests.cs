using System.Text.Json;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>
/// A changed model byte or a lock copy that is not the built-in lock: exit 3 with one line naming the file and the
/// fix, and doctor listing the check as FAIL.
/// </summary>
public sealed class ModelIntegrityTests
{
    [Fact]
    public async Task Detect_DetectorWithOneByteChanged_ExitsThreeSayingItsSha256DoesNotMatch()
    {
        using var models = new ModelsCopy();
        var changed = models.FlipByte("blazeface-front.onnx", 1000);

        var result = await CliRunner.InProcessAsync("detect", "--photo", TestModels.DemoPhoto(1), "--models", models.Path);

        var line = result.AssertOneLineError(3, changed);
        Assert.Contains("sha256", line, StringComparison.Ordinal);
        Assert.Contains("does not match", line, StringComparison.Ordinal);
        Assert.Contains("deploy.sh setup", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Eval_EmbedderWithOneByteChanged_ExitsThreeSayingItsSha256DoesNotMatch()
    {
        using var models = new ModelsCopy();
        var changed = models.FlipByte("faceplugin-feature.onnx", new FileInfo(Path.Combine(TestModels.Directory, "faceplugin-feature.onnx")).Length / 2);
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("pairs.csv"), "left,right,same\na.jpg,b.jpg,1\na.jpg,c.jpg,0\n");

        var result = await CliRunner.InProcessAsync("eval", "--pairs", folder.File("pairs.csv"), "--models", models.Path);

        var line = result.AssertOneLineError(3, changed);
        Assert.Contains("does not match", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_EmbedderWithOneByteChanged_ListsItAsFailWithTheFix()
    {
        using var models = new ModelsCopy();
        var changed = models.FlipByte("mobilefacenet.onnx", 4096);

        var result = await CliRunner.InProcessAsync("doctor", "--models", models.Path, "--json");

        Assert.Equal(3, result.Exit);
        var checks = Checks(result.Json());
        var embedder = checks["mobilefacenet"];
        Assert.False(embedder.GetProperty("ok").GetBoolean());
        Assert.Contains(changed, embedder.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("does not match", embedder.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("deploy.sh setup", embedder.GetProperty("fix").GetString(), StringComparison.Ordinal);
        Assert.True(checks["blazeface-front"].GetProperty("ok").GetBoolean(), "the untouched detector still passes");
    }

    [Fact]
    public async Task Doctor_Text_PrintsTheChangedModelAsFailFollowedByItsFix()
    {
        using var models = new ModelsCopy();
        models.FlipByte("blazeface-back.onnx", 2000);

        var result = await CliRunner.InProcessAsync("doctor", "--models", models.Path);

        Assert.Equal(3, result.Exit);
        var lines = result.Stdout.Split('\n');
        var fail = Array.FindIndex(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.True(fail >= 0, result.Stdout);
        Assert.Contains("blazeface-back", lines[fail], StringComparison.Ordinal);
        Assert.Contains("fix: run ./deploy.sh setup", lines[fail + 1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detect_ModelsFolderWhoseLockIsNotTheBuiltInOne_ExitsThreeNamingTheLock()
    {
        // An edited lock copy could vouch for swapped models: the folder's lock must be the one built in.
        using var models = new ModelsCopy();
        File.AppendAllText(models.File("models.lock.json"), " ");

        var result = await CliRunner.InProcessAsync("detect", "--photo", TestModels.DemoPhoto(1), "--models", models.Path);

        var line = result.AssertOneLineError(3, models.File("models.lock.json"));
        Assert.Contains("is not the lock this StationEdge was built with", line, StringComparison.Ordinal);
        Assert.Contains("deploy.sh setup", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ReportsOnnxRuntimeFromThePackageAndEveryModelOk()
    {
        var result = await CliRunner.InProcessAsync("doctor", "--models", TestModels.Directory, "--json");

        var checks = Checks(result.Json());
        var runtime = checks["onnxruntime"];
        Assert.True(runtime.GetProperty("ok").GetBoolean(), runtime.ToString());
        Assert.Contains("ONNX Runtime 1.31.", runtime.GetProperty("detail").GetString(), StringComparison.Ordinal);
        foreach (var model in new[] { "blazeface-front", "blazeface-back", "mobilefacenet", "antispoof" })
        {
            Assert.True(checks[model].GetProperty("ok").GetBoolean(), checks[model].ToString());
        }
    }

    [Fact]
    public async Task Detect_ModelsFolderWithoutTheLock_ExitsThreeNamingTheLock()
    {
        // Without the lock nothing could be checked, so nothing is loaded: not even a valid library.
        using var models = new ModelsCopy("models.lock.json");

        var result = await CliRunner.ChildProcessAsync("detect", "--photo", TestModels.DemoPhoto(1), "--models", models.Path);

        var line = result.AssertOneLineError(3, "models.lock.json");
        Assert.Contains("deploy.sh setup", line, StringComparison.Ordinal);
    }

    private static Dictionary<string, JsonElement> Checks(JsonElement doctor) =>
        doctor.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
}
