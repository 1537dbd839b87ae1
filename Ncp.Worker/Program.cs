using Ncp.Worker.Infrastructure.Database;
using Ncp.Conventions;
using Ncp.Worker.Infrastructure.Mail;
using Ncp.Worker.Infrastructure.Messaging;
using Ncp.Worker.Infrastructure.Observability;
using Ncp.Worker.Mail;
using Ncp.Worker.Notifications;
using Ncp.Worker.Timers;
using Npgsql;

namespace Ncp.Worker;

public sealed class Program
{
    public static async Task<int> Main(string[] args)
    {
        var migrate = args.FirstOrDefault() == "migrate";
        var app = Build(migrate ? [.. args, $"--{RabbitMqSettings.Section}:{nameof(RabbitMqSettings.DeployTopologyOnly)}=true"] : args);
        if (migrate)
        {
            await app.Services.GetRequiredService<WorkerDatabase>().MigrateAsync(CancellationToken.None);
            // The Worker's queues exist from now on, so what the Api publishes before the Worker first starts waits there.
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await DeployBusTopologyAsync(app, limit.Token);
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"migrate: the database is up to date, but {char.ToLowerInvariant(e.Message[0])}{e.Message[1..]}");
                return 1;
            }

            return 0;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>Declares the Worker's queues and bindings on RabbitMQ without consuming (an app built for <c>migrate</c>).</summary>
    public static Task DeployBusTopologyAsync(WebApplication app, CancellationToken ct) => BusConventions.DeployTopologyAsync(app.Services, ct);

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddNcpTelemetry("ncp-worker");

        var connectionString = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set. Run through ./ncp up, or set ConnectionStrings__Postgres.");
        var settings = builder.Configuration.GetSection(WorkerDatabaseSettings.Section).Get<WorkerDatabaseSettings>() ?? new WorkerDatabaseSettings();

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "ncp-worker" }.Build());
        services.AddSingleton<WorkerDatabase>();
        services.AddSingleton<Inbox>();
        services.AddSingleton(builder.Configuration.GetSection(TimerSettings.Section).Get<TimerSettings>() ?? new TimerSettings());
        services.AddSingleton<TimerStore>();
        services.AddSingleton<TimerLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<TimerLoop>());
        services.AddSingleton(builder.Configuration.GetSection(NotificationSettings.Section).Get<NotificationSettings>() ?? new NotificationSettings());
        services.AddSingleton(builder.Configuration.GetSection(SmtpSettings.Section).Get<SmtpSettings>() ?? new SmtpSettings());
        services.AddSingleton<NotificationSender>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationSender>());
        services.AddSingleton<DigestLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<DigestLoop>());
        services.AddHostedService<DeadLetterAlarm>();
        services.AddMailGateway(builder.Configuration);
        services.AddNcpMessaging(builder.Configuration);
        services.AddHealthChecks().AddNpgSql(name: "postgresql", tags: [HealthConventions.ReadyTag], timeout: TimeSpan.FromSeconds(3));
        services.AddBacklogHealth(builder.Configuration);
        services.AddMailServerHealth();

        var app = builder.Build();

        // MassTransit keeps its log context in a static that the first bus of a process fills; a second host in
        // the same process (the tests run Api and Worker side by side) must not log through a disposed factory.
        MassTransit.LogContext.ConfigureCurrentLogContext(app.Services.GetRequiredService<ILoggerFactory>());
        app.MapNcpHealth();
        app.MapNcpMetrics();
        return app;
    }
}
