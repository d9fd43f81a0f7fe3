-- CreateTable
CREATE TABLE "dialer_setting" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dialer_setting_pkey" PRIMARY KEY ("key")
);
