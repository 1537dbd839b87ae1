using Ncp.Worker.Infrastructure.Database;
using Ncp.Worker.Infrastructure.Hosting;
using Ncp.Worker.Infrastructure.Messaging;
using Npgsql;

namespace Ncp.Worker;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var app = Build(args);
        if (args.FirstOrDefault() == "migrate")
        {
            await app.Services.GetRequiredService<WorkerDatabase>().MigrateAsync(CancellationToken.None);
            return 0;
        }

        await app.RunAsync();
        return 0;
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddWorkerTelemetry();

        var connectionString = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set. Run through ./ncp up, or set ConnectionStrings__Postgres.");
        var settings = builder.Configuration.GetSection(WorkerDatabaseSettings.Section).Get<WorkerDatabaseSettings>() ?? new WorkerDatabaseSettings();

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "ncp-worker" }.Build());
        services.AddSingleton<WorkerDatabase>();
        services.AddSingleton<Inbox>();
        services.AddNcpMessaging(builder.Configuration);
        services.AddHealthChecks().AddNpgSql(name: "postgresql", tags: ["ready"], timeout: TimeSpan.FromSeconds(3));

        var app = builder.Build();
        app.MapWorkerHealth();
        return app;
    }
}
