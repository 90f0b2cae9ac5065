import nodemailer from 'nodemailer'

/** Outgoing e-mail over SMTP (`SMTP_URL`); null when none is configured. */
export interface Mailer {
  send(mail: { to: string[]; subject: string; text: string }): Promise<void>
  close(): void
}

export function createMailer(smtpUrl: string | undefined, from: string): Mailer | null {
  if (!smtpUrl) return null
  const transport = nodemailer.createTransport(smtpUrl)
  return {
    async send(mail) {
      if (mail.to.length === 0) return
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text })
    },
    close: () => transport.close(),
  }
}
