namespace StationEdge.Cli.Tests.Vision;

/// <summary>detect --embedding: what ./deploy.sh arm64 compares between the arm64 and the x64 build.</summary>
public sealed class DetectEmbeddingTests
{
    [Fact]
    public async Task Detect_JsonWithEmbedding_GivesEachFaceItsOwnUnitLengthEmbedding()
    {
        var result = await CliRunner.InProcessAsync("detect", "--photo", TestModels.DemoPhoto(1), "--models", TestModels.Directory, "--json", "--embedding");

        Assert.True(result.Exit == 0, result.Stderr);
        var embeddings = result.Json().GetProperty("faces").EnumerateArray()
            .Select(f => f.GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray())
            .ToList();
        Assert.True(embeddings.Count >= 2, $"sample1.jpg shows several people; {embeddings.Count} faces were embedded");
        foreach (var e in embeddings)
        {
            Assert.Equal(512, e.Length);
            Assert.Equal(1.0, Math.Sqrt(e.Sum(v => v * v)), 1e-3);
        }

        // Different people: no two faces of the photo may come out as the same template.
        for (var i = 0; i < embeddings.Count; i++)
        {
            for (var j = i + 1; j < embeddings.Count; j++)
            {
                var cosine = embeddings[i].Zip(embeddings[j], (a, b) => a * b).Sum();
                Assert.True(cosine < 0.55, $"faces {i + 1} and {j + 1} are different people but score {cosine:0.000}");
            }
        }
    }

    [Fact]
    public async Task Detect_JsonWithoutEmbedding_HasNoEmbeddingKey()
    {
        var result = await CliRunner.InProcessAsync("detect", "--photo", TestModels.DemoPhoto(1), "--models", TestModels.Directory, "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        var faces = result.Json().GetProperty("faces").EnumerateArray().ToList();
        Assert.NotEmpty(faces);
        Assert.All(faces, f => Assert.False(f.TryGetProperty("embedding", out _), "embedding is only printed when asked for"));
    }

    [Fact]
    public async Task Detect_EmbeddingWithoutJson_ExitsTwoNamingTheFlag()
    {
        var result = await CliRunner.InProcessAsync("detect", "--photo", TestModels.DemoPhoto(1), "--models", TestModels.Directory, "--embedding");

        result.AssertOneLineError(2, "--embedding needs --json");
    }
}
