// The suite runs against one PostgreSQL and one RabbitMQ on a small machine; collections run one after another so
// that the long simulation does not starve the timing of the others.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
