CREATE INDEX `outbox_channel_idx` ON `outbox` (`door`,json_extract(payload, '$.channel'),`id`) WHERE state = 'pending';
