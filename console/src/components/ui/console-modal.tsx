'use client';
import { Modal } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * Mantine's modal as the console shows it: its close button named (in the page's language), its
 * header not a second "banner" landmark of the page.
 */
export function ConsoleModal({ opened, onClose, title, closeLabel, size, children }: { opened: boolean; onClose(): void; title: string; closeLabel: string; size?: string; children: ReactNode }) {
  return (
    <Modal.Root opened={opened} onClose={onClose} size={size}>
      <Modal.Overlay />
      <Modal.Content>
        <Modal.Header role="none">
          <Modal.Title fw={600}>{title}</Modal.Title>
          <Modal.CloseButton aria-label={closeLabel} />
        </Modal.Header>
        <Modal.Body>{children}</Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
}
