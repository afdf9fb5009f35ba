using System.Text.Json;
using StationEdge.Broker;
using StationEdge.Hub;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>account [--json]</c>: the hub's own broker login, once: a new password in <c>Hub:PasswordFile</c> (0600), its
/// line in Mosquitto's password file and the hub's ACL block (the only writer of acks, commands and the county's
/// roster). Never over an existing password file: the running hub logs in with it.
/// </summary>
internal static class AccountCommand
{
    public static Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout)
    {
        var args = HubArgs.Parse(argv, []);
        if (args.Words.Count != 0)
        {
            throw HubCliError.BadInput("usage: county-hub account [--config F] [--json]");
        }

        var configPath = HubConfig.PathOf(args);
        var options = HubConfig.Load(configPath, HubOptionsValidator.DatabaseOnly);
        string Need(string? value, string key, string why) => value ?? throw HubCliError.BadInput($"{configPath}: {key} is not set ({why})");
        var user = Need(options.Username, "Hub:Username", "the hub's broker user");
        var passwordFile = Need(options.PasswordFile, "Hub:PasswordFile", "where the hub's password goes");
        var brokerPasswords = Need(options.MosquittoPasswordFile, "Hub:MosquittoPasswordFile", "Mosquitto's password_file");
        var acl = Need(options.MosquittoAclFile, "Hub:MosquittoAclFile", "Mosquitto's acl_file");
        if (File.Exists(passwordFile))
        {
            throw HubCliError.BadInput($"Hub:PasswordFile {passwordFile} exists already: the hub's account is made once (remove the file and its line in {brokerPasswords} to make it again)");
        }

        var password = MosquittoPassword.NewPassword();
        var line = MosquittoPassword.Line(user, password);
        // The broker's files first: a password file the broker does not know would only fail the hub's login.
        StationsCommand.Append(brokerPasswords, line + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        StationsCommand.Append(acl, "\n" + MosquittoAcl.HubBlock(user, options.County!), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using (var file = new FileStream(passwordFile, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var writer = new StreamWriter(file))
        {
            writer.WriteLine(password);
        }

        stdout.WriteLine(args.Json
            ? JsonSerializer.Serialize(new { username = user, password_file = passwordFile, mosquitto_password_file = brokerPasswords, acl_file = acl })
            : $"hub account {user}: password in {passwordFile} (0600), its line in {brokerPasswords}, its ACL block in {acl}; reload mosquitto (systemctl reload mosquitto)");
        return Task.FromResult(0);
    }
}
