namespace StationEdge.Store;

/// <summary>What kind of failure a <see cref="StoreException"/> is; a command maps the first three to exit 2, the rest to 3.</summary>
public enum StoreFault
{
    /// <summary>The caller's input was wrong (an id, a name, a vector): nothing was written.</summary>
    InvalidInput,

    /// <summary>The worker, template or row named does not exist.</summary>
    NotFound,

    /// <summary>The row already exists (a worker id enrolled twice).</summary>
    Conflict,

    /// <summary>The database file is damaged; <c>station-edge store recover</c> rebuilds it.</summary>
    Corrupt,

    /// <summary>The data folder's file system is full; nothing stored before is lost, writes resume when space returns.</summary>
    DiskFull,

    /// <summary>The device key is missing, unreadable, too open or not the key the templates were sealed with.</summary>
    Key,

    /// <summary>The database was written by a newer station-edge.</summary>
    SchemaTooNew,

    /// <summary>Another process holds the store (recover needs it alone).</summary>
    InUse,

    /// <summary>Any other I/O failure of the data folder.</summary>
    Io,
}

/// <summary>A store failure with a one-line message that names the file or value concerned.</summary>
public sealed class StoreException : Exception
{
    public StoreException(StoreFault fault, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Fault = fault;
    }

    public StoreFault Fault { get; }

    /// <summary>True when the caller's input was at fault (exit 2), false for a fault of the station (exit 3).</summary>
    public bool IsBadInput => Fault is StoreFault.InvalidInput or StoreFault.NotFound or StoreFault.Conflict;
}
