CREATE TABLE `support_away` (
	`route` text PRIMARY KEY NOT NULL,
	`starts_on` text NOT NULL,
	`ends_on` text NOT NULL,
	`set_by` text NOT NULL,
	`set_at` integer NOT NULL
);
