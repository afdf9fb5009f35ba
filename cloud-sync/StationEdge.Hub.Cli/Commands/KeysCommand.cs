using StationEdge.Sync.Contracts;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>keys init [--config F]</c>: the county's signing key pair. The private half goes to <c>Hub:SigningKeyFile</c>
/// (0600, never over an existing key: the stations trust that one); the public half beside it as <c>.pub</c> and on
/// stdout, for each station's <c>Sync:CountyPublicKey</c>.
/// </summary>
internal static class KeysCommand
{
    public static Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout)
    {
        var args = HubArgs.Parse(argv, []);
        if (args.Words is not ["init"])
        {
            throw HubCliError.BadInput("usage: county-hub keys init [--config F]");
        }

        var options = HubConfig.Load(HubConfig.PathOf(args), null);
        var file = options.SigningKeyFile ?? throw HubCliError.BadInput("Hub:SigningKeyFile is not set (where the county's private key goes)");
        if (File.Exists(file))
        {
            throw HubCliError.BadInput($"Hub:SigningKeyFile {file} exists already; the stations trust that key, so it is never replaced here");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (!Directory.Exists(folder))
        {
            throw HubCliError.BadInput($"Hub:SigningKeyFile {file}: folder {folder} does not exist");
        }

        using var signer = CountySigner.Create();
        // Created 0600 before a byte is written, so the key is never readable by others even for a moment.
        using (var stream = new FileStream(file, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(signer.ExportPrivatePem());
        }

        var publicPem = signer.ExportPublicPem();
        File.WriteAllText(file + ".pub", publicPem + "\n");
        if (args.Json)
        {
            stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { key_id = signer.KeyId, private_key_file = file, public_key_file = file + ".pub", public_key = publicPem }));
        }
        else
        {
            stdout.WriteLine($"county signing key {signer.KeyId}: private key in {file} (0600), public key in {file}.pub");
            stdout.WriteLine("give every station this public key (Sync:CountyPublicKey):");
            stdout.WriteLine(publicPem);
        }

        return Task.FromResult(0);
    }
}
